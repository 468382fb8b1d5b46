import type { ReceivedMessage } from '../connectors/message-subscriber.js';
import type { EventMeta } from '../events/envelope-headers.js';
import type { EventEnvelope } from '../events/event-envelope.js';
import type { RetryOptions } from '../module/interfaces/iggy-module-options.interface.js';
import { IggyContext } from '../transport/iggy.context.js';

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
 * way (the DLQ interceptor retries).
 */
export class IggyEventContext extends IggyContext {
  private attemptNo = 1;
  private deadLetter: string | undefined;
  private dlqClaimed = false;

  constructor(private readonly init: IggyEventContextInit) {
    super([init.message, init.envelope, init.pattern, undefined]);
  }

  /** The envelope's metadata (id, type, tenant, headers, content type), read from the message headers. */
  getEvent(): EventMeta {
    return this.init.event;
  }

  getGroup(): string {
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

  /** 1 for the first call, then 2, 3... while the DLQ interceptor retries. */
  getAttempt(): number {
    return this.attemptNo;
  }

  setAttempt(attempt: number): void {
    this.attemptNo = attempt;
  }

  /** The dead letter written for this call, when it failed for good and went to the DLQ. */
  getDeadLetterId(): string | undefined {
    return this.deadLetter;
  }

  markDeadLettered(deadLetterId: string): void {
    this.deadLetter = deadLetterId;
  }

  /**
   * True for the first caller only: lets exactly one DLQ interceptor (global or per handler) own the
   * retries and the dead-lettering of this call when several are applied.
   */
  claimRetries(): boolean {
    if (this.dlqClaimed) return false;
    this.dlqClaimed = true;
    return true;
  }

  /** Whether a DLQ interceptor owns this call. */
  isClaimed(): boolean {
    return this.dlqClaimed;
  }
}

/** Envelope headers (`envelope.headers`) a redrive adds to the re-published event: the redrive count. */
export const REDRIVEN_HEADER = 'iggy.redriven';
/** Only this group handles a redriven event (other groups skip it: they had handled it). */
export const REDRIVE_GROUP_HEADER = 'iggy.redrive_group';
/** Only this handler (`Class.method`) of the group is called for a redriven event. */
export const REDRIVE_HANDLER_HEADER = 'iggy.redrive_handler';
