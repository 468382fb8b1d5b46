import { BaseRpcContext } from '@nestjs/microservices';
import type { ReceivedMessage } from '../connectors/message-subscriber.js';
import type { EventEnvelope } from '../events/event-envelope.js';

/** The request part of a message that expects a reply (`send`); absent for events (`emit`). */
export interface IggyRequestInfo {
  requestId: string;
  /** The reply topic. */
  replyTo: string;
  /** The requester's instance id, the partition key of its replies. */
  replyKey: string;
  /** When the requester stops waiting (ms since the epoch); `undefined` when it did not say. */
  deadline?: number;
}

/**
 * How `IggyServer` delivered an event to an `@EventPattern` handler (absent on request calls and on
 * contexts made elsewhere): such calls are retried and dead-lettered by the DLQ interceptor.
 */
export interface IggyDelivery {
  /** The consumer group the server reads in (the dead letter's `group`). */
  group: string;
  /**
   * Set when the event was redriven from the DLQ to one handler of this group: the handler
   * (`Class.method`, or the pattern) that failed. The others of the same pattern skip it.
   */
  redriveHandler?: string;
}

export type IggyContextArgs = [
  message: ReceivedMessage,
  envelope: EventEnvelope,
  pattern: string,
  request: IggyRequestInfo | undefined,
];

/**
 * The context of an `@EventPattern`/`@MessagePattern` handler served by `IggyServer` (`@Ctx() ctx:
 * IggyContext`): where the message sits, its envelope and tenant, and the request it answers if any.
 */
export class IggyContext extends BaseRpcContext<IggyContextArgs> {
  private attemptNo = 1;
  private deadLetter: string | undefined;
  private failure: unknown;
  private readonly claims = new Set<unknown>();

  constructor(
    args: IggyContextArgs,
    private readonly delivery?: IggyDelivery,
  ) {
    super(args);
  }

  /** Set when `IggyServer` delivers an event to an `@EventPattern` handler. */
  getDelivery(): IggyDelivery | undefined {
    return this.delivery;
  }

  /** The consumer group reading the message (`IggyServer` events and `@IggyEventHandler` calls). */
  getGroup(): string | undefined {
    return this.delivery?.group;
  }

  /**
   * 1 for the first call, then 2, 3... while the DLQ interceptor retries. (Several `@EventPattern`
   * methods of one pattern share one context: it is then the latest attempt of any of them.)
   */
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
   * The error the handler's last attempt ended with, as the DLQ interceptor saw it (before Nest's
   * exception filters turned it into an RPC error); `undefined` while nothing failed for good.
   */
  getLastError(): unknown {
    return this.failure;
  }

  setLastError(error: unknown): void {
    this.failure = error;
  }

  /**
   * True for the first caller per handler method (`ExecutionContext.getHandler()`): lets exactly one
   * DLQ interceptor (global or per handler) own the retries and the dead-lettering of a call when
   * several are applied.
   */
  claimRetries(handler?: unknown): boolean {
    const key = handler ?? this;
    if (this.claims.has(key)) return false;
    this.claims.add(key);
    return true;
  }

  /** Whether a DLQ interceptor owns (a handler's) call of this context. */
  isClaimed(): boolean {
    return this.claims.size > 0;
  }

  /** The message as received (payload bytes, every user header, offset, timestamp...). */
  getMessage(): ReceivedMessage {
    return this.args[0];
  }

  getStream(): string {
    return this.args[0].stream;
  }

  getTopic(): string {
    return this.args[0].topic;
  }

  /** 0-based partition. */
  getPartition(): number {
    return this.args[0].partition;
  }

  getOffset(): bigint {
    return this.args[0].offset;
  }

  /** When the server appended the message, µs since the epoch. */
  getTimestamp(): bigint {
    return this.args[0].timestamp;
  }

  /** The whole envelope (id, type, tenant, actor, correlation, headers, the decoded payload). */
  getEnvelope<T = unknown>(): EventEnvelope<T> {
    return this.args[1] as EventEnvelope<T>;
  }

  getTenantId(): string {
    return this.args[1].tenantId;
  }

  /** The envelope's event type (what the pattern matched). */
  getEventType(): string {
    return this.args[1].type;
  }

  /** The handler pattern that matched (`order.*` for a wildcard handler). */
  getPattern(): string {
    return this.args[2];
  }

  /** The envelope's own headers (`envelope.headers`). */
  getHeaders(): Record<string, string> {
    return this.args[1].headers;
  }

  /** Nest's packet metadata (set by a client's dispatch hook): the envelope's headers. */
  getMetadata(): Record<string, string> {
    return this.args[1].headers;
  }

  /** The request this message is, when it came from `send`; `undefined` for an event. */
  getRequest(): IggyRequestInfo | undefined {
    return this.args[3];
  }
}
