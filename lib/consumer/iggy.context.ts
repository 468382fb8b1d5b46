import type { ReceivedMessage } from '../connectors/message-subscriber.js';
import type { EventMeta } from '../events/envelope-headers.js';
import type { EventEnvelope } from '../events/event-envelope.js';
import { REDRIVEN_HEADER } from './consumer.constants.js';
import type { RetryOptions } from './retry-options.js';

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
 * How an event was delivered to its handler (absent on `@MessagePattern` request calls): such calls are
 * retried and dead-lettered by the DLQ interceptor.
 */
export interface IggyDelivery {
  /** The consumer group (the dead letter's `group`). */
  group: string;
  /**
   * Set when the event was redriven from the DLQ to one handler of this group: the handler
   * (`Class.method`, or the pattern) that failed. The others of the same pattern skip it.
   */
  redriveHandler?: string;
}

/** Who handles a message, and how (set by the consumer runtime for each handler call). */
export interface IggyHandlerBinding {
  /** The consumer group (for a replay into a function: the replay's name). */
  group: string;
  /** `Class.method` for an `@IggyEventHandler`; the pattern for an `IggyServer` handler. */
  handler: string;
  /** The handler's own retry options (`@IggyEventHandler({ retry })`), over the module's. */
  retry: Partial<RetryOptions> | undefined;
  /**
   * `consume`: an event of a live subscription (failures end in the DLQ); `replay`: a failure is reported,
   * never dead-lettered; `answer`: a request a `@MessagePattern` handler answers (its failure is the reply).
   */
  mode: 'consume' | 'replay' | 'answer';
  /** See `IggyDelivery.redriveHandler`. */
  redriveHandler?: string;
}

export interface IggyContextInit {
  message: ReceivedMessage;
  /** The envelope's metadata as the headers tell it. */
  event: EventMeta;
  envelope: EventEnvelope;
  /** The handler pattern that matched. */
  pattern: string;
  /** The request this message is, when it came from `send`. */
  request?: IggyRequestInfo;
  binding: IggyHandlerBinding;
}

export type IggyContextArgs = [
  message: ReceivedMessage,
  envelope: EventEnvelope,
  pattern: string,
  request: IggyRequestInfo | undefined,
];

/**
 * The context of every Iggy handler call (`@Ctx()`, and the second argument of an `@IggyEventHandler`
 * method): where the message sits, its envelope and tenant, the group and handler, the request it
 * answers if any, and the attempt under way (the DLQ interceptor retries; attempt and dead-letter
 * bookkeeping live here). `IggyEventContext` is another name for it.
 *
 * It has the shape of Nest's `BaseRpcContext` (`getArgs`, `getArgByIndex`) without extending it, so the
 * consumer runtime that makes it stays free of Nest; Nest only hands it to the handler.
 */
export class IggyContext {
  private attemptNo = 1;
  private deadLetter: string | undefined;
  private failure: unknown;
  /** The first DLQ interceptor's claim, and the further ones (several handler methods of one pattern). */
  private claim: unknown;
  private moreClaims: Set<unknown> | undefined;
  private args: IggyContextArgs | undefined;

  constructor(private readonly init: IggyContextInit) {}

  /** `[message, envelope, pattern, request]`, as `BaseRpcContext.getArgs()`. */
  getArgs(): IggyContextArgs {
    return (this.args ??= [this.init.message, this.init.envelope, this.init.pattern, this.init.request]);
  }

  getArgByIndex<K extends 0 | 1 | 2 | 3>(index: K): IggyContextArgs[K] {
    return this.getArgs()[index];
  }

  /** How the event was delivered; `undefined` for a request answered by a `@MessagePattern` handler. */
  getDelivery(): IggyDelivery | undefined {
    const { binding } = this.init;
    if (binding.mode === 'answer') return undefined;
    const delivery: IggyDelivery = { group: binding.group };
    if (binding.redriveHandler !== undefined) delivery.redriveHandler = binding.redriveHandler;
    return delivery;
  }

  /** The consumer group reading the message. */
  getGroup(): string {
    return this.init.binding.group;
  }

  /** `Class.method` of an `@IggyEventHandler`, the pattern of an `IggyServer` handler. */
  getHandlerName(): string {
    return this.init.binding.handler;
  }

  getBinding(): IggyHandlerBinding {
    return this.init.binding;
  }

  isReplay(): boolean {
    return this.init.binding.mode === 'replay';
  }

  /** The envelope's metadata (id, type, tenant, headers, content type), read from the message headers. */
  getEvent(): EventMeta {
    return this.init.event;
  }

  /** Times a redrive re-published this event (`0` for an original delivery). */
  getRedriveCount(): number {
    const n = Number(this.init.event.headers[REDRIVEN_HEADER] ?? '0');
    return Number.isInteger(n) && n > 0 ? n : 0;
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
   * exception filters turned it into an RPC error), also when it was dead-lettered; `undefined` while
   * nothing failed for good.
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
    if (this.claim === undefined) {
      this.claim = key;
      return true;
    }
    if (this.claim === key || this.moreClaims?.has(key)) return false;
    (this.moreClaims ??= new Set()).add(key);
    return true;
  }

  /** Whether a DLQ interceptor owns (a handler's) call of this context. */
  isClaimed(): boolean {
    return this.claim !== undefined;
  }

  /** The message as received (payload bytes, every user header, offset, timestamp...). */
  getMessage(): ReceivedMessage {
    return this.init.message;
  }

  getStream(): string {
    return this.init.message.stream;
  }

  getTopic(): string {
    return this.init.message.topic;
  }

  /** 0-based partition. */
  getPartition(): number {
    return this.init.message.partition;
  }

  getOffset(): bigint {
    return this.init.message.offset;
  }

  /** When the server appended the message, µs since the epoch. */
  getTimestamp(): bigint {
    return this.init.message.timestamp;
  }

  /** The whole envelope (id, type, tenant, actor, correlation, headers, the decoded payload). */
  getEnvelope<T = unknown>(): EventEnvelope<T> {
    return this.init.envelope as EventEnvelope<T>;
  }

  getTenantId(): string {
    return this.init.envelope.tenantId;
  }

  /** The envelope's event type (what the pattern matched). */
  getEventType(): string {
    return this.init.envelope.type;
  }

  /** The handler pattern that matched (`order.*` for a wildcard handler). */
  getPattern(): string {
    return this.init.pattern;
  }

  /** The envelope's own headers (`envelope.headers`). */
  getHeaders(): Record<string, string> {
    return this.init.envelope.headers;
  }

  /** Nest's packet metadata (set by a client's dispatch hook): the envelope's headers. */
  getMetadata(): Record<string, string> {
    return this.init.envelope.headers;
  }

  /** The request this message is, when it came from `send`; `undefined` for an event. */
  getRequest(): IggyRequestInfo | undefined {
    return this.init.request;
  }
}

/** Another name of `IggyContext`, the one `@IggyEventHandler` methods have long used. */
export const IggyEventContext = IggyContext;
export type IggyEventContext = IggyContext;
/** `IggyContextInit` under its old name. */
export type IggyEventContextInit = IggyContextInit;
