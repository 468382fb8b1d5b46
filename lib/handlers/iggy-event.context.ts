import type { ReceivedMessage } from '../connectors/message-subscriber.js';
import type { EventMeta } from '../events/envelope-headers.js';
import type { EventEnvelope } from '../events/event-envelope.js';
import { IggyContext } from '../transport/iggy.context.js';
import { REDRIVEN_HEADER } from '../transport/iggy-transport.constants.js';
import type { RetryOptions } from '../consumer/retry-options.js';

/** Who handles a message, and how (set by the dispatcher for each handler call). */
export interface IggyHandlerBinding {
  /** The consumer group (for a replay into a function: the replay's name). */
  group: string;
  /** `Class.method`. */
  handler: string;
  /** The handler's own retry options (`@IggyEventHandler({ retry })`), over the module's. */
  retry: Partial<RetryOptions> | undefined;
  /** `consume`: a live subscription (failures end in the DLQ); `replay`: a failure is reported, never dead-lettered. */
  mode: 'consume' | 'replay';
}

export interface IggyEventContextInit {
  message: ReceivedMessage;
  /** The envelope's metadata as the headers tell it. */
  event: EventMeta;
  envelope: EventEnvelope;
  /** The handler pattern that matched. */
  pattern: string;
  binding: IggyHandlerBinding;
}

/**
 * The second argument of an `@IggyEventHandler` method (also `@Ctx()`): an `IggyContext` (where the
 * message sits, its envelope, the matched pattern) plus the group and handler, and the attempt under
 * way (the DLQ interceptor retries; attempt and dead-letter bookkeeping are `IggyContext`'s).
 */
export class IggyEventContext extends IggyContext {
  constructor(private readonly init: IggyEventContextInit) {
    super([init.message, init.envelope, init.pattern, undefined]);
  }

  /** The envelope's metadata (id, type, tenant, headers, content type), read from the message headers. */
  getEvent(): EventMeta {
    return this.init.event;
  }

  override getGroup(): string {
    return this.init.binding.group;
  }

  /** `Class.method`. */
  getHandlerName(): string {
    return this.init.binding.handler;
  }

  getBinding(): IggyHandlerBinding {
    return this.init.binding;
  }

  isReplay(): boolean {
    return this.init.binding.mode === 'replay';
  }

  /** Times a redrive re-published this event (`0` for an original delivery). */
  getRedriveCount(): number {
    const n = Number(this.init.event.headers[REDRIVEN_HEADER] ?? '0');
    return Number.isInteger(n) && n > 0 ? n : 0;
  }
}

export {
  REDRIVEN_HEADER,
  REDRIVE_GROUP_HEADER,
  REDRIVE_HANDLER_HEADER,
} from '../transport/iggy-transport.constants.js';
