import type { ReceivedMessage } from '../connectors/message-subscriber.js';
import type { EventMeta } from '../events/envelope-headers.js';
import { createEnvelope, type EventEnvelope } from '../events/event-envelope.js';
import { withJsonView } from '../events/json-view.js';
import type { FailedMessage } from '../consumer/dead-letter-sink.js';
import { REDRIVEN_HEADER } from '../consumer/consumer.constants.js';
import type { UserHeaders } from '../protocol/primitives/user-headers.js';
import { headersFromJson, headersToJson, type JsonHeader } from './header-json.js';
import { isNonRetryable } from './non-retryable.error.js';

/** Event type of a dead letter in the DLQ topic. */
export const DEAD_LETTER_TYPE = 'iggy.dead_letter';
/** Event type of the marker that settles a dead letter (redriven or purged); the log itself is never rewritten. */
export const DEAD_LETTER_RESOLVED_TYPE = 'iggy.dead_letter_resolved';
/** Tenant of a dead letter whose message had no readable tenant. */
export const UNKNOWN_TENANT = '_unknown';

/** Envelope headers of a dead letter (filterable without decoding the payload). */
export const DlqHeader = {
  group: 'dlq.group',
  handler: 'dlq.handler',
  eventType: 'dlq.event_type',
  eventId: 'dlq.event_id',
  /** On a resolution marker: the dead letter it settles, and how. */
  resolves: 'dlq.resolves',
  resolution: 'dlq.resolution',
} as const;

export type DeadLetterResolution = 'redriven' | 'purged';

/** The dead letter's payload as stored (JSON). */
export interface DeadLetterPayload {
  origin: { stream: string; topic: string; partition: number; offset: string; timestamp: string };
  group: string;
  handler: string;
  error: { name: string; message: string; stack?: string; nonRetryable: boolean };
  attempts: number;
  failedAt: string;
  /** The failed envelope's metadata, when its headers were readable. */
  event: EventMeta | null;
  /** The failed message as it was: Iggy message id (decimal), user headers, payload (base64). */
  message: { id: string; headers: JsonHeader[]; payload: string };
}

/** A dead letter as `DlqManager` returns it. */
export interface DeadLetter {
  /** The dead letter's own id (its envelope id). */
  id: string;
  tenantId: string;
  group: string;
  handler: string;
  /** Type of the failed event (`undefined` when its headers were unreadable). */
  eventType: string | undefined;
  eventId: string | undefined;
  event: EventMeta | null;
  error: DeadLetterPayload['error'];
  attempts: number;
  failedAt: Date;
  origin: { stream: string; topic: string; partition: number; offset: bigint; timestamp: bigint };
  message: { id: bigint; headers: UserHeaders; payload: Buffer };
  /** Times the failed event had been redriven before it failed this time. */
  redriveCount: number;
  /** `pending` until redriven or purged. */
  status: 'pending' | DeadLetterResolution;
  /** Where the dead letter sits in the DLQ topic. */
  position: { partition: number; offset: bigint };
}

const MAX_STACK_CHARS = 8_000;

/** The dead-letter envelope for a failed message (partition key: the failed event's tenant). */
export function deadLetterEnvelope(entry: FailedMessage, now = new Date()): EventEnvelope<DeadLetterPayload> {
  const { message, event, error } = entry;
  const failure = describe(error);
  const headers: Record<string, string> = {
    [DlqHeader.group]: clip(entry.group),
    [DlqHeader.handler]: clip(entry.handler),
  };
  if (event) {
    headers[DlqHeader.eventType] = event.type;
    headers[DlqHeader.eventId] = event.id;
  }
  return createEnvelope<DeadLetterPayload>({
    tenantId: event?.tenantId ?? UNKNOWN_TENANT,
    type: DEAD_LETTER_TYPE,
    occurredAt: now,
    causationId: event?.id,
    correlationId: event ? (event.correlationId ?? event.id) : undefined,
    headers,
    payload: {
      origin: {
        stream: message.stream,
        topic: message.topic,
        partition: message.partition,
        offset: message.offset.toString(),
        timestamp: message.timestamp.toString(),
      },
      group: entry.group,
      handler: entry.handler,
      error: { ...failure, nonRetryable: isNonRetryable(error) },
      attempts: entry.attempts,
      failedAt: now.toISOString(),
      event: event ?? null,
      message: {
        id: message.id.toString(),
        headers: headersToJson(message.headers),
        payload: message.payload.toString('base64'),
      },
    },
  });
}

/** A dead letter from its envelope (as read back from the DLQ topic). Throws `TypeError` when malformed. */
export function parseDeadLetter(envelope: EventEnvelope, at: ReceivedMessage): DeadLetter {
  const p = envelope.payload as DeadLetterPayload;
  if (!p || typeof p !== 'object' || !p.origin || !p.message || !p.error) {
    throw new TypeError(`dead letter ${envelope.id} has a malformed payload`);
  }
  const event = p.event ?? null;
  const redriven = Number(event?.headers?.[REDRIVEN_HEADER] ?? 0);
  return withJsonView({
    id: envelope.id,
    tenantId: envelope.tenantId,
    group: p.group,
    handler: p.handler,
    eventType: event?.type,
    eventId: event?.id,
    event,
    error: p.error,
    attempts: p.attempts,
    failedAt: new Date(p.failedAt),
    origin: {
      stream: p.origin.stream,
      topic: p.origin.topic,
      partition: p.origin.partition,
      offset: BigInt(p.origin.offset),
      timestamp: BigInt(p.origin.timestamp),
    },
    message: {
      id: BigInt(p.message.id),
      headers: headersFromJson(p.message.headers),
      payload: Buffer.from(p.message.payload, 'base64'),
    },
    redriveCount: Number.isInteger(redriven) && redriven > 0 ? redriven : 0,
    status: 'pending',
    position: { partition: at.partition, offset: at.offset },
  });
}

/** The marker that settles a dead letter. */
export function resolutionEnvelope(deadLetter: DeadLetter, resolution: DeadLetterResolution): EventEnvelope {
  return createEnvelope({
    tenantId: deadLetter.tenantId,
    type: DEAD_LETTER_RESOLVED_TYPE,
    causationId: deadLetter.id,
    headers: { [DlqHeader.resolves]: deadLetter.id, [DlqHeader.resolution]: resolution },
    payload: { deadLetterId: deadLetter.id, resolution, at: new Date().toISOString() },
  });
}

function describe(error: unknown): { name: string; message: string; stack?: string } {
  if (error instanceof Error) {
    const out: { name: string; message: string; stack?: string } = {
      name: error.name,
      message: error.message,
    };
    if (error.stack) out.stack = error.stack.slice(0, MAX_STACK_CHARS);
    return out;
  }
  return { name: typeof error, message: String(error) };
}

/** A header value holds at most 255 bytes. */
function clip(value: string): string {
  let out = value;
  while (Buffer.byteLength(out, 'utf8') > 255) out = out.slice(0, -1);
  return out;
}
