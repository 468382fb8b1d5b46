import { distance } from 'fastest-levenshtein';
import { isPending, type MaybePromise } from '../common/maybe-promise.js';
import type { ThrottledLog } from '../common/throttled-log.js';
import type { ReceivedMessage } from '../connectors/message-subscriber.js';
import { readEventMeta, type EventMeta } from '../events/envelope-headers.js';
import { decodeEnvelope } from '../events/envelope-message.js';
import type { EventEnvelope } from '../events/event-envelope.js';
import type { SerializerRegistry } from '../events/serializer-registry.js';
import type { HeaderEntry } from '../protocol/primitives/user-headers.js';
import type { ConsumerObserver, SkipReason } from './consumer-observer.js';
import { REDRIVE_GROUP_HEADER, REDRIVE_HANDLER_HEADER } from './consumer.constants.js';
import type { ConsumerLogger } from './consumer-logger.js';
import type { DeadLetterFallback } from './dead-letter-fallback.js';
import { Delivery, readRequestInfo } from './delivery.js';
import { expiredRequestsLog, type ExpiredRequest } from './expired-requests-log.js';
import type { IdempotencyGuard } from './idempotency/idempotency-guard.js';
import { IggyContext, type IggyHandlerBinding, type IggyRequestInfo } from './iggy.context.js';
import { isWildcardPattern } from './pattern-matcher.js';
import type { Route, RouteTable } from './route-table.js';

/** What became of a message; every outcome lets its offset be committed (a failure throws instead). */
export type DispatchResult = 'handled' | 'skipped' | 'dead-lettered' | 'dropped';

/** What a group's dispatcher did so far. */
export interface DispatchCounts {
  /** Messages its handlers (or a request handler) took. */
  handled: number;
  /** Messages no handler of the group took (unmatched, duplicates, requests, redriven for others...). */
  skipped: number;
  /** Handler calls and unreadable messages that went to the DLQ. */
  deadLettered: number;
  /** Events whose type matched no handler pattern of the group (counted in `skipped` too). */
  unmatched: number;
}

/** How an `IggyServer` answers requests (`send`); handler groups skip requests. */
export interface RequestReplies {
  /** The request's payload cannot be decoded: tell the requester. */
  refuse(message: ReceivedMessage, request: IggyRequestInfo, error: unknown): Promise<void>;
  /** A request was answered with an error (or could not be answered); it is committed all the same. */
  failed(error: unknown, message: ReceivedMessage): void;
}

export interface DispatcherSpec {
  group: string;
  routes: RouteTable;
  serializers: SerializerRegistry;
  /** `consume`: a live group (failures end in the DLQ); `replay`: every failure throws. */
  mode: 'consume' | 'replay';
  /** Skips event ids the group already handled, records them once handled (consume mode). */
  guard?: IdempotencyGuard;
  /** Consume mode: where unreadable messages and calls no interceptor owned go. */
  deadLetters?: DeadLetterFallback;
  /** Set for an `IggyServer`: its request handlers answer requests. */
  requests?: RequestReplies;
  logger: ConsumerLogger;
  /** A handler call failed for good (before it is dead-lettered, or its partition stalls). */
  onHandlerError?: (error: unknown, context: IggyContext) => void;
  /** Told of every handler call and unreadable message (metrics, traces). */
  observer?: ConsumerObserver;
}

/** Distinct unmatched event types warned about per group, at most. */
const MAX_WARNED_TYPES = 1_000;

/**
 * Routes each message of one group to its handlers, the same way for `@IggyEventHandler` groups and
 * `IggyServer` handlers: the headers are read once (type, tenant, id, request, redrive), the payload is
 * decoded only when a handler wants it, and the handlers run one after the other. `dispatch` throws while
 * the message must not be committed (a handler failed for good and its dead letter could not be written,
 * or there is no DLQ); called again with the same `Delivery`, it calls only the handlers that have not
 * succeeded yet.
 *
 * - A redriven event names its group and handler: other groups skip it; in its group only the handler of
 *   that name runs (when none has it, every matching one runs and the DLQ interceptor keeps the named method).
 * - A request (`send`) is answered by the group's request handler (`IggyServer`); a handler group skips it.
 * - The idempotency guard skips an id the group handled, and records it after the handlers succeeded,
 *   before `dispatch` returns, so before the commit that covers it.
 * - An event whose type matches no pattern of a group with event handlers is skipped and counted
 *   (`unmatched`), with one warning per type: a typo in a pattern would otherwise lose events silently.
 */
export class Dispatcher {
  readonly counts: DispatchCounts = { handled: 0, skipped: 0, deadLettered: 0, unmatched: 0 };
  private readonly bindings = new Map<Route, IggyHandlerBinding>();
  private readonly warnedTypes = new Set<string>();
  /** Requests skipped past their requester's deadline. */
  private readonly expired: ThrottledLog<ExpiredRequest>;
  /** The headers `readEventMeta` leaves aside (request headers): filled and emptied synchronously. */
  private readonly rest: HeaderEntry[] = [];

  constructor(readonly spec: DispatcherSpec) {
    this.expired = expiredRequestsLog(spec.logger);
    for (const route of spec.routes.routes) {
      this.bindings.set(route, {
        group: spec.group,
        handler: route.name,
        retry: route.retry,
        mode: route.kind === 'request' ? 'answer' : spec.mode,
      });
    }
  }

  get group(): string {
    return this.spec.group;
  }

  /**
   * The message's outcome: at once when nothing on the way was pending (a synchronous handler and
   * store), else a promise. A failure throws, synchronously or as a rejection.
   */
  dispatch(delivery: Delivery): MaybePromise<DispatchResult> {
    if (delivery.targets === undefined) {
      const settled = this.route(delivery);
      if (isPending(settled)) return settled.then((outcome) => outcome ?? this.runHandlers(delivery));
      if (settled !== undefined) return settled;
    }
    return this.runHandlers(delivery);
  }

  /** Reads, routes and decodes; gives an outcome when the message ends here, else sets `targets`. */
  private route(delivery: Delivery): MaybePromise<DispatchResult | undefined> {
    const { message } = delivery;
    const rest = this.rest;
    let meta: EventMeta;
    try {
      meta = readEventMeta(message, rest);
    } catch (error) {
      rest.length = 0;
      return this.unreadable(delivery, undefined, '(routing)', error);
    }
    const request = rest.length === 0 ? undefined : readRequestInfo(rest);
    rest.length = 0;
    delivery.meta = meta;
    delivery.request = request;
    const routes = this.spec.routes.match(meta.type);
    if (request) {
      if (this.spec.requests && routes.request) return this.answer(delivery, routes.request);
      // A request no request handler here answers: other services may; a handler group never takes it.
      if (!this.spec.requests || routes.events.length === 0) return this.skip(delivery, 'request');
    }
    const redriveGroup = meta.headers[REDRIVE_GROUP_HEADER];
    if (redriveGroup !== undefined && redriveGroup !== this.spec.group)
      return this.skip(delivery, 'redriven');
    let targets = routes.events;
    if (targets.length === 0) {
      if (!request) this.unmatched(meta.type);
      return this.skip(delivery, request ? 'request' : 'unmatched');
    }
    const guard = this.spec.mode === 'consume' ? this.spec.guard : undefined;
    if (redriveGroup !== undefined) {
      const only = meta.headers[REDRIVE_HANDLER_HEADER];
      if (only !== undefined) {
        delivery.redriveHandler = only;
        const named = targets.filter((r) => r.name === only);
        if (named.length > 0) targets = named;
      }
    } else if (guard) {
      delivery.recordId = true;
      const seen = routes.guarded && guard.seen(meta.id);
      if (isPending(seen)) return seen.then((handled) => this.decode(delivery, targets, handled));
      return this.decode(delivery, targets, seen);
    }
    return this.decode(delivery, targets, false);
  }

  /** Decodes the payload for `targets` (less the guarded ones when the event was `handled` already). */
  private decode(
    delivery: Delivery,
    targets: readonly Route[],
    handled: boolean,
  ): MaybePromise<DispatchResult | undefined> {
    if (handled) {
      targets = targets.filter((r) => !r.guarded);
      if (targets.length === 0) return this.skip(delivery, 'duplicate');
    }
    const meta = delivery.meta!;
    try {
      delivery.envelope = decodeEnvelope(delivery.message, meta, this.spec.serializers);
    } catch (error) {
      return this.unreadable(delivery, meta, targets.map((r) => r.name).join(','), error);
    }
    delivery.targets = targets;
    return undefined;
  }

  /** The handlers from `delivery.done` on, one after the other; then the id is recorded. */
  private runHandlers(delivery: Delivery): MaybePromise<DispatchResult> {
    const targets = delivery.targets!;
    for (let i = delivery.done; i < targets.length; i++) {
      const call = this.call(delivery, i);
      if (isPending(call)) {
        return call.then(() => {
          delivery.done = i + 1;
          return this.runHandlers(delivery);
        });
      }
      delivery.done = i + 1;
    }
    if (delivery.recordId) {
      const recording = this.spec.guard!.record(delivery.meta!.id);
      if (recording) return recording.then(() => this.handled());
    }
    return this.handled();
  }

  /** Handler `i` of the delivery's targets, with its own context. */
  private call(delivery: Delivery, i: number): MaybePromise<void> {
    const targets = delivery.targets!;
    const route = targets[i]!;
    // Each handler gets its own envelope when several share a message (one could change it).
    const envelope = i === targets.length - 1 ? delivery.envelope! : copyEnvelope(delivery.envelope!);
    const context = new IggyContext({
      message: delivery.message,
      event: delivery.meta!,
      envelope,
      pattern: route.pattern,
      request: delivery.request,
      binding: this.bindingOf(route, delivery.redriveHandler),
    });
    const observer = this.spec.observer;
    const called = observer
      ? observeCall(observer, context, () => this.invoke(route, envelope, context))
      : this.invoke(route, envelope, context);
    if (isPending(called)) return called.then(() => this.countDeadLetter(context));
    this.countDeadLetter(context);
  }

  private countDeadLetter(context: IggyContext): void {
    if (context.getDeadLetterId() !== undefined) this.counts.deadLettered++;
  }

  private handled(): DispatchResult {
    this.counts.handled++;
    return 'handled';
  }

  /** A request for a request handler of this group: answered (or skipped past its deadline), then committed. */
  private async answer(delivery: Delivery, route: Route): Promise<DispatchResult> {
    const { message, meta } = delivery;
    const request = delivery.request!;
    const replies = this.spec.requests!;
    if (request.deadline !== undefined && Date.now() > request.deadline) {
      this.expired.note({
        requestId: request.requestId,
        type: meta!.type,
        lateMs: Date.now() - request.deadline,
      });
      return this.skip(delivery, 'expired');
    }
    let envelope: EventEnvelope;
    try {
      envelope = decodeEnvelope(message, meta!, this.spec.serializers);
    } catch (error) {
      await replies.refuse(message, request, error);
      replies.failed(error, message);
      return this.skip(delivery, 'unreadable');
    }
    const context = new IggyContext({
      message,
      event: meta!,
      envelope,
      pattern: route.pattern,
      request,
      binding: this.bindingOf(route, undefined),
    });
    try {
      const observer = this.spec.observer;
      await (observer
        ? observeCall(observer, context, () => route.invoke(envelope, context))
        : route.invoke(envelope, context));
    } catch (error) {
      replies.failed(error, message);
    }
    this.counts.handled++;
    return 'handled';
  }

  /**
   * One handler call; a failure the DLQ interceptor could not (or must not) dead-letter throws, one it
   * did not own is dead-lettered here.
   */
  private invoke(route: Route, envelope: EventEnvelope, context: IggyContext): MaybePromise<void> {
    let result: unknown;
    try {
      result = route.invoke(envelope, context);
    } catch (thrown) {
      return this.failed(thrown, context);
    }
    if (isPending(result)) return result.then(NOTHING, (thrown: unknown) => this.failed(thrown, context));
  }

  private async failed(thrown: unknown, context: IggyContext): Promise<void> {
    // Nest's exception filters may hand plain data back: the interceptor kept the real error.
    const error = context.getLastError() ?? thrown;
    this.spec.onHandlerError?.(error, context);
    // Claimed: the DLQ interceptor retried and could not (or must not) dead-letter it.
    if (context.isClaimed() || !this.spec.deadLetters) throw error;
    context.setLastError(error);
    await this.spec.deadLetters.unowned(error, context);
  }

  private async unreadable(
    delivery: Delivery,
    meta: EventMeta | undefined,
    handler: string,
    error: unknown,
  ): Promise<DispatchResult> {
    const { message } = delivery;
    if (this.spec.mode === 'replay' || !this.spec.deadLetters) throw error;
    if (await this.spec.deadLetters.unreadable(message, meta, handler, error)) {
      this.counts.deadLettered++;
      this.spec.observer?.unreadable(message, error);
      return 'dead-lettered';
    }
    this.counts.skipped++;
    delivery.skipped = 'unreadable';
    return 'dropped';
  }

  private skip(delivery: Delivery, reason: SkipReason): DispatchResult {
    this.counts.skipped++;
    delivery.skipped = reason;
    return 'skipped';
  }

  /**
   * Counts an event no handler of the group takes. A group sees every type of its topic, most of them for
   * other groups: said once per type, as a warning when the type is a likely typo of one of the group's
   * patterns (`nearPattern`), else at debug level.
   */
  private unmatched(type: string): void {
    this.counts.unmatched++;
    const routes = this.spec.routes.eventRoutes;
    if (this.spec.mode !== 'consume' || routes.length === 0) return;
    if (this.warnedTypes.has(type) || this.warnedTypes.size >= MAX_WARNED_TYPES) return;
    this.warnedTypes.add(type);
    const patterns = routes.map((r) => r.pattern);
    const near = nearPattern(type, patterns);
    const what =
      `event type '${type}' matches no handler pattern of this group (${patterns.join(', ')}); ` +
      'such events are skipped and committed (said once per type)';
    if (near !== undefined) this.spec.logger.warn(`${what}: did you mean '${near}'?`);
    else this.spec.logger.debug?.(what);
  }

  private bindingOf(route: Route, redriveHandler: string | undefined): IggyHandlerBinding {
    const binding = this.bindings.get(route)!;
    return redriveHandler === undefined ? binding : { ...binding, redriveHandler };
  }
}

function copyEnvelope(envelope: EventEnvelope): EventEnvelope {
  return { ...envelope, headers: { ...envelope.headers } };
}

const NOTHING = (): void => undefined;

/** `call`, timed for the observer; synchronous when the call is. */
function observeCall(
  observer: ConsumerObserver,
  context: IggyContext,
  call: () => MaybePromise<unknown>,
): MaybePromise<void> {
  const started = performance.now();
  let called: MaybePromise<unknown>;
  try {
    called = call();
  } catch (error) {
    observer.handlerCall(context, performance.now() - started, { error });
    throw error;
  }
  if (isPending(called)) {
    return called.then(
      () => observer.handlerCall(context, performance.now() - started, undefined),
      (error: unknown) => {
        observer.handlerCall(context, performance.now() - started, { error });
        throw error;
      },
    );
  }
  observer.handlerCall(context, performance.now() - started, undefined);
}

/** The exact pattern `type` is most likely a typo of: at most 2 edits away (1 for types of up to 6 characters). */
function nearPattern(type: string, patterns: readonly string[]): string | undefined {
  const most = type.length <= 6 ? 1 : 2;
  let best: string | undefined;
  let bestEdits = most + 1;
  for (const pattern of patterns) {
    if (isWildcardPattern(pattern)) continue;
    const edits = distance(type, pattern);
    if (edits < bestEdits) [best, bestEdits] = [pattern, edits];
  }
  return best;
}
