import { EnvelopeValidationError } from './event-errors.js';
import { checkEnvelope } from './envelope-validation.js';
import { newEventId } from './event-id.js';

/**
 * One domain or system event and what a consumer needs to route it without opening the payload.
 * `occurredAt` is an ISO-8601 string (`2025-01-31T12:00:00.000Z`): it reads the same after JSON,
 * MessagePack and the `occurred_at` header alike; `new Date(envelope.occurredAt)` when you need a Date.
 */
export interface EventEnvelope<T = unknown> {
  /** A UUID (v7 when made by `createEnvelope`: time-ordered); it becomes the Iggy message id. */
  id: string;
  /** The partition key: one tenant's events keep their order. 1..255 bytes of UTF-8. */
  tenantId: string;
  /** Who caused the event (a user, a service). */
  actorId?: string;
  /** e.g. `order.created`. */
  type: string;
  /** Schema version of `payload` for this `type`; a u32, default 1. */
  version: number;
  /** When it happened, ISO-8601. */
  occurredAt: string;
  /** Shared by every event of one business flow. */
  correlationId?: string;
  /** The id of the event (or command) that caused this one. */
  causationId?: string;
  /** Your own metadata; travels as `h.<name>` message headers (values 1..255 bytes). */
  headers: Record<string, string>;
  payload: T;
}

/** What `createEnvelope` needs; everything else has a default. */
export interface CreateEnvelopeInput<T> {
  tenantId: string;
  type: string;
  payload: T;
  /** Default: a fresh UUID v7. */
  id?: string;
  /** Default 1. */
  version?: number;
  /** Default: now. A Date is turned into its ISO string. */
  occurredAt?: string | Date;
  actorId?: string;
  correlationId?: string;
  causationId?: string;
  headers?: Record<string, string>;
  /**
   * The event this one follows from: sets `causationId` to its id and `correlationId` to its
   * correlation id (or its id), unless given explicitly.
   */
  causedBy?: Pick<EventEnvelope, 'id' | 'correlationId'>;
}

/** A new, validated envelope (throws `EnvelopeValidationError` naming the bad field). */
export function createEnvelope<T>(input: CreateEnvelopeInput<T>): EventEnvelope<T> {
  const parent = input.causedBy;
  const made = {
    id: input.id === undefined,
    occurredAt: input.occurredAt === undefined || input.occurredAt instanceof Date,
  };
  const envelope = checkEnvelope(
    {
      id: input.id ?? newEventId(),
      tenantId: input.tenantId,
      actorId: input.actorId,
      type: input.type,
      version: input.version ?? 1,
      occurredAt: toIsoString(input.occurredAt),
      correlationId: input.correlationId ?? (parent ? (parent.correlationId ?? parent.id) : undefined),
      causationId: input.causationId ?? parent?.id,
      headers: input.headers ?? {},
      payload: input.payload,
    },
    undefined,
    made,
  );
  return envelope as EventEnvelope<T>;
}

/** The ISO string of the last millisecond asked for (events made in one millisecond share it). */
let now = { ms: Number.NaN, iso: '' };

function toIsoString(value: string | Date | undefined): unknown {
  if (value === undefined) {
    const ms = Date.now();
    if (ms !== now.ms) now = { ms, iso: new Date(ms).toISOString() };
    return now.iso;
  }
  if (!(value instanceof Date)) return value;
  if (Number.isNaN(value.getTime())) throw new EnvelopeValidationError('occurredAt', 'is an invalid Date');
  return value.toISOString();
}
