import type { EventEnvelope } from '../events/event-envelope.js';
import type { EventPatternMatcher } from './event-pattern.js';
import type { IggyEventContext } from './iggy-event.context.js';
import type { IggyEventHandlerMetadata } from './iggy-event-handler.decorator.js';

/** One discovered `@IggyEventHandler`, ready to call through Nest's pipeline. */
export interface BoundHandler {
  /** `Class.method`. */
  name: string;
  pattern: string;
  matches: EventPatternMatcher;
  options: IggyEventHandlerMetadata;
  /** Runs guards, interceptors (the DLQ interceptor), pipes, the method and exception filters. */
  invoke(envelope: EventEnvelope, context: IggyEventContext): Promise<unknown>;
}
