import type { MaybePromise } from '../common/maybe-promise.js';
import type { IggyContext } from '../consumer/iggy.context.js';
import type { Route } from '../consumer/route-table.js';
import type { EventEnvelope } from '../events/event-envelope.js';
import type { EventPatternMatcher } from './event-pattern.js';
import type { IggyEventHandlerMetadata } from './iggy-event-handler.decorator.js';

/** One discovered `@IggyEventHandler`, ready to call through Nest's pipeline. */
export interface BoundHandler {
  /** `Class.method`. */
  name: string;
  pattern: string;
  matches: EventPatternMatcher;
  options: IggyEventHandlerMetadata;
  /**
   * Runs guards, interceptors (the DLQ interceptor), pipes, the method and exception filters; returns
   * at once, with no promise, when none of them and the method was pending.
   */
  invoke(envelope: EventEnvelope, context: IggyContext): MaybePromise<unknown>;
}

/** The handler as the consumer runtime routes to it; `guarded` unless it says `idempotent: false`. */
export function routeOf(handler: BoundHandler, idempotentByDefault: boolean): Route {
  return {
    name: handler.name,
    pattern: handler.pattern,
    matches: handler.matches,
    kind: 'event',
    guarded: handler.options.idempotent ?? idempotentByDefault,
    retry: handler.options.retry,
    invoke: handler.invoke,
  };
}
