import { PublishRequest } from '../connectors/publish-request.js';
import { encodeEnvelopeHeaders } from '../events/envelope-headers.js';
import { validateEnvelope } from '../events/envelope-validation.js';
import type { EventEnvelope } from '../events/event-envelope.js';
import type { MessageTarget } from '../events/envelope-message.js';
import type { Serializer } from '../events/serializer.js';
import type { SerializerRegistry } from '../events/serializer-registry.js';
import { validateTenantId } from '../events/tenant-partitioner.js';
import { OutboxError, describeError } from './outbox-error.js';
import type { OutboxRecord, PendingRow } from './outbox-store.js';

/** Where a row is published; `undefined` = the connector's default stream and topic. */
export type OutboxTarget = MessageTarget | undefined;

/** The columns a writer fills, in the order of `recordValues`. */
export const OUTBOX_INSERT_COLUMNS = [
  'id',
  'tenant',
  'actor',
  'type',
  'version',
  'occurred_at',
  'correlation_id',
  'causation_id',
  'headers',
  'content_type',
  'payload',
  'stream',
  'topic',
  'partition_key',
] as const;

/** `record`'s values in the order of `OUTBOX_INSERT_COLUMNS`. */
export function recordValues(record: OutboxRecord): unknown[] {
  return [
    record.id,
    record.tenant,
    record.actor,
    record.type,
    record.version,
    record.occurredAt,
    record.correlationId,
    record.causationId,
    record.headers,
    record.contentType,
    record.payload,
    record.stream,
    record.topic,
    record.partitionKey,
  ];
}

/**
 * The row for a valid envelope: its payload serialized now, so a payload that cannot be serialized
 * fails here, before anything is written. Throws `OutboxError` (`Serialize`).
 */
export function envelopeToRecord(
  envelope: EventEnvelope,
  serializer: Serializer,
  target: OutboxTarget,
): OutboxRecord {
  let payload: Buffer;
  try {
    payload = serializer.serialize(envelope.payload);
  } catch (err) {
    throw new OutboxError(
      'Serialize',
      `event ${envelope.id} (${envelope.type}) cannot be serialized as ${serializer.format}: ${describeError(err)}`,
      { cause: err, eventId: envelope.id },
    );
  }
  if (!Buffer.isBuffer(payload)) payload = Buffer.from(payload);
  return {
    id: envelope.id,
    tenant: envelope.tenantId,
    actor: envelope.actorId ?? null,
    type: envelope.type,
    version: envelope.version,
    occurredAt: envelope.occurredAt,
    correlationId: envelope.correlationId ?? null,
    causationId: envelope.causationId ?? null,
    headers: JSON.stringify(envelope.headers),
    contentType: serializer.contentType,
    payload,
    stream: target?.stream ?? null,
    topic: target?.topic ?? null,
    partitionKey: envelope.tenantId,
  };
}

/**
 * The message for a pending row, every field checked again (the table may have been edited by hand):
 * headers must be a JSON object of strings, the envelope fields valid, and, when `verify` holds the
 * serializer of the row's content type, the payload must decode. Throws `OutboxError` (`CorruptRow`).
 */
export function rowToRequest(row: PendingRow, verify?: SerializerRegistry): PublishRequest {
  const id = typeof row.id === 'string' ? row.id : String(row.id);
  const corrupt = (why: string, cause?: unknown): OutboxError =>
    new OutboxError('CorruptRow', `outbox row ${id} (seq ${String(row.seq)}): ${why}`, {
      cause,
      eventId: id,
    });
  let headers: unknown;
  try {
    headers = typeof row.headers === 'string' ? JSON.parse(row.headers) : row.headers;
  } catch (err) {
    throw corrupt(`headers are not JSON: ${describeError(err)}`, err);
  }
  let envelope: EventEnvelope;
  try {
    envelope = validateEnvelope({
      id,
      tenantId: row.tenant,
      actorId: row.actor ?? undefined,
      type: row.type,
      version: typeof row.version === 'string' ? Number(row.version) : row.version,
      occurredAt: row.occurredAt,
      correlationId: row.correlationId ?? undefined,
      causationId: row.causationId ?? undefined,
      headers,
      payload: null,
    });
    validateTenantId(row.partitionKey, 'partition_key');
    if (row.stream !== null) validateTenantId(row.stream, 'stream');
    if (row.topic !== null) validateTenantId(row.topic, 'topic');
    validateTenantId(row.contentType, 'content_type');
  } catch (err) {
    throw corrupt(describeError(err), err);
  }
  if ((row.stream === null) !== (row.topic === null)) {
    throw corrupt('stream and topic must both be set or both be null');
  }
  const payload = toBuffer(row.payload);
  if (payload === undefined) throw corrupt(`payload is not bytes (${typeof row.payload})`);
  const serializer = verify?.find(row.contentType);
  if (serializer) {
    try {
      serializer.deserialize(payload);
    } catch (err) {
      throw corrupt(`payload is not valid ${row.contentType}: ${describeError(err)}`, err);
    }
  }
  const request =
    row.stream !== null && row.topic !== null
      ? PublishRequest.new(row.stream, row.topic, row.partitionKey, payload, id)
      : PublishRequest.simple(row.partitionKey, payload, id);
  return request.withEncodedHeaders(encodeEnvelopeHeaders(envelope, row.contentType));
}

function toBuffer(value: unknown): Buffer | undefined {
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (value instanceof ArrayBuffer) return Buffer.from(value);
  return undefined;
}
