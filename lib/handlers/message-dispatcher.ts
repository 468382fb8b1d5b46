import type { ReceivedMessage } from '../connectors/message-subscriber.js';
import { readEventMeta, type EventMeta } from '../events/envelope-headers.js';
import { decodeEnvelope } from '../events/envelope-message.js';
import type { EventEnvelope } from '../events/event-envelope.js';
import type { SerializerRegistry } from '../events/serializer-registry.js';
import { readRequestInfo } from '../transport/reply-codec.js';
import type { BoundHandler } from './bound-handler.js';
import type { DeadLetterSink } from './dead-letter-sink.js';
import type { IdempotencyGuard } from '../consumer/idempotency/idempotency-guard.js';
import { IggyEventContext, REDRIVE_GROUP_HEADER, REDRIVE_HANDLER_HEADER } from './iggy-event.context.js';

/** What became of one message. Every outcome but a thrown error lets its offset be committed. */
export type DispatchOutcome =
  | { kind: 'handled'; event: EventMeta; handlers: string[]; deadLettered: string[] }
  | {
      kind: 'skipped';
      reason: 'no-handler' | 'duplicate' | 'redrive-for-other-group' | 'request';
      event: EventMeta;
    }
  | { kind: 'dead-lettered'; reason: 'unreadable'; deadLetterId: string; error: unknown }
  | { kind: 'dropped'; reason: 'unreadable'; error: unknown };

export interface DispatchOptions {
  group: string;
  handlers: readonly BoundHandler[];
  serializers: SerializerRegistry;
  mode: 'consume' | 'replay';
  /** Skips ids the group already handled, records them once handled (consume mode; redriven events bypass it). */
  guard?: IdempotencyGuard;
  /** Whether a handler without an `idempotent` option is guarded (default true). */
  idempotentByDefault?: boolean;
  /** Unreadable messages go here (consume mode); without it, or in replay, they throw / are dropped. */
  sink?: DeadLetterSink;
  /** Handlers (`Class.method`) that already succeeded for this message (kept across retries of it). */
  done?: Set<string>;
  /** Called for a message dropped without a DLQ. */
  warn?: (message: string) => void;
}

/**
 * Routes one message to the group's handlers whose pattern matches its type (read from the headers;
 * the payload is decoded only when some handler wants it) and calls them one after the other.
 * Throws when a handler call failed for good (DLQ off, or the DLQ write failed): the offset must not
 * be committed then. A redriven event names its group and handler: other groups skip it, and in its
 * group only that handler runs. A request (`IggyClientProxy.send`: it carries the request headers) is
 * not an event: it is skipped (and committed); `@MessagePattern` handlers of an `IggyServer` answer it.
 */
export async function dispatchMessage(
  message: ReceivedMessage,
  options: DispatchOptions,
): Promise<DispatchOutcome> {
  let event: EventMeta;
  try {
    event = readEventMeta(message);
  } catch (error) {
    return unreadable(message, undefined, '(routing)', error, options);
  }
  if (readRequestInfo(message) !== undefined) return { kind: 'skipped', reason: 'request', event };
  const redriveGroup = event.headers[REDRIVE_GROUP_HEADER];
  if (redriveGroup !== undefined && redriveGroup !== options.group) {
    return { kind: 'skipped', reason: 'redrive-for-other-group', event };
  }
  const onlyHandler = redriveGroup === undefined ? undefined : event.headers[REDRIVE_HANDLER_HEADER];
  let targets = options.handlers.filter(
    (h) => h.matches(event.type) && (onlyHandler === undefined || h.name === onlyHandler),
  );
  if (targets.length === 0) return { kind: 'skipped', reason: 'no-handler', event };
  const guard = options.mode === 'consume' && redriveGroup === undefined ? options.guard : undefined;
  if (guard && (await guard.seen(event.id))) {
    const guarded = (h: BoundHandler): boolean => h.options.idempotent ?? options.idempotentByDefault ?? true;
    targets = targets.filter((h) => !guarded(h));
    if (targets.length === 0) return { kind: 'skipped', reason: 'duplicate', event };
  }

  let envelope: EventEnvelope;
  try {
    envelope = decodeEnvelope(message, event, options.serializers);
  } catch (error) {
    return unreadable(message, event, targets.map((h) => h.name).join(','), error, options);
  }

  const done = options.done ?? new Set<string>();
  const deadLettered: string[] = [];
  for (const handler of targets) {
    if (done.has(handler.name)) continue;
    const copy = { ...envelope, headers: { ...envelope.headers } };
    const context = new IggyEventContext({
      message,
      event,
      envelope: copy,
      pattern: handler.pattern,
      binding: {
        group: options.group,
        handler: handler.name,
        retry: handler.options.retry,
        mode: options.mode,
      },
    });
    try {
      await handler.invoke(copy, context);
    } catch (error) {
      // Claimed: the DLQ interceptor retried and could not (or must not) dead-letter: propagate.
      // Unclaimed: it never ran (a guard refused the event, or no interceptor is applied).
      if (context.isClaimed() || options.mode === 'replay' || !options.sink?.enabled) throw error;
      const id = await options.sink.deadLetter({
        message,
        event,
        group: options.group,
        handler: handler.name,
        error,
        attempts: 1,
      });
      context.markDeadLettered(id);
    }
    done.add(handler.name);
    const deadLetterId = context.getDeadLetterId();
    if (deadLetterId !== undefined) deadLettered.push(handler.name);
  }
  // Before returning, so before the lanes commit the offset (see `IdempotencyGuard`).
  await guard?.record(event.id);
  return { kind: 'handled', event, handlers: targets.map((h) => h.name), deadLettered };
}

async function unreadable(
  message: ReceivedMessage,
  event: EventMeta | undefined,
  handler: string,
  error: unknown,
  options: DispatchOptions,
): Promise<DispatchOutcome> {
  if (options.mode === 'replay') throw error;
  if (options.sink?.enabled) {
    const deadLetterId = await options.sink.deadLetter({
      message,
      event,
      group: options.group,
      handler,
      error,
      attempts: 0,
    });
    return { kind: 'dead-lettered', reason: 'unreadable', deadLetterId, error };
  }
  options.warn?.(
    `group '${options.group}': skipping unreadable message at ${message.stream}/${message.topic} ` +
      `partition ${message.partition} offset ${message.offset} (no DLQ): ${describeError(error)}`,
  );
  return { kind: 'dropped', reason: 'unreadable', error };
}

export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
