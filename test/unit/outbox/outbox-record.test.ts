import { describe, expect, it } from '@jest/globals';
import type { ReceivedMessage } from '../../../lib/connectors/message-subscriber.js';
import { messageToEnvelope } from '../../../lib/events/envelope-message.js';
import { createEnvelope } from '../../../lib/events/event-envelope.js';
import { JsonSerializer } from '../../../lib/events/json-serializer.js';
import { MsgpackSerializer } from '../../../lib/events/msgpack-serializer.js';
import { SerializerRegistry } from '../../../lib/events/serializer-registry.js';
import { uuidToMessageId } from '../../../lib/protocol/messages/message-id.js';
import { OutboxError } from '../../../lib/outbox/outbox-error.js';
import {
  envelopeToRecord,
  recordValues,
  rowToRequest,
  OUTBOX_INSERT_COLUMNS,
} from '../../../lib/outbox/outbox-record.js';
import type { OutboxRecord, PendingRow } from '../../../lib/outbox/outbox-store.js';

const envelope = createEnvelope({
  tenantId: 'acme',
  actorId: 'user-1',
  type: 'order.created',
  version: 2,
  payload: { orderId: 'o-1', at: new Date('2025-01-31T12:00:00Z') },
  correlationId: 'corr-1',
  headers: { trace: 'abc' },
});

function pending(record: OutboxRecord, patch: Partial<PendingRow> = {}): PendingRow {
  return { ...record, seq: '7', attempts: 0, createdAt: new Date(), ...patch };
}

function received(request: ReturnType<typeof rowToRequest>): ReceivedMessage {
  return {
    stream: 's',
    topic: 't',
    partition: 0,
    offset: 0n,
    timestamp: 0n,
    id: uuidToMessageId(request.eventId),
    payload: request.payload,
    headers: request.headers,
  };
}

describe('outbox rows', () => {
  it('a record holds the envelope, its serialized payload and its target', () => {
    const record = envelopeToRecord(envelope, new JsonSerializer(), { stream: 'app', topic: 'domain' });
    expect(record).toMatchObject({
      id: envelope.id,
      tenant: 'acme',
      actor: 'user-1',
      type: 'order.created',
      version: 2,
      occurredAt: envelope.occurredAt,
      correlationId: 'corr-1',
      causationId: null,
      headers: '{"trace":"abc"}',
      contentType: 'application/json',
      stream: 'app',
      topic: 'domain',
      partitionKey: 'acme',
    });
    expect(JSON.parse(record.payload.toString())).toEqual({ orderId: 'o-1', at: '2025-01-31T12:00:00.000Z' });
    expect(recordValues(record)).toHaveLength(OUTBOX_INSERT_COLUMNS.length);
  });

  it('an unserializable payload is a Serialize error naming the event', () => {
    const bad = { ...envelope, payload: { n: 1n } };
    const attempt = () => envelopeToRecord(bad, new JsonSerializer(), undefined);
    expect(attempt).toThrow(OutboxError);
    expect(attempt).toThrow(expect.objectContaining({ kind: 'Serialize', eventId: envelope.id }));
  });

  it.each([
    ['json', new JsonSerializer()],
    ['msgpack', new MsgpackSerializer()],
  ])('a row becomes the message that reads back as the same envelope (%s)', (_, serializer) => {
    const row = pending(envelopeToRecord(envelope, serializer, undefined));
    const request = rowToRequest(row, new SerializerRegistry());
    expect(request).toMatchObject({
      stream: undefined,
      topic: undefined,
      partitionKey: 'acme',
      eventId: envelope.id,
    });
    const back = messageToEnvelope(received(request));
    expect(back).toEqual({
      ...envelope,
      payload: serializer.deserialize(serializer.serialize(envelope.payload)),
    });
  });

  it('takes what drivers hand back: a numeric string version, bytes as Uint8Array or ArrayBuffer', () => {
    const record = envelopeToRecord(envelope, new JsonSerializer(), { stream: 'a', topic: 'b' });
    const bytes = new Uint8Array(record.payload);
    for (const payload of [bytes, bytes.buffer]) {
      const request = rowToRequest(pending(record, { version: '2', payload }));
      expect(request.payload.equals(record.payload)).toBe(true);
      expect(request).toMatchObject({ stream: 'a', topic: 'b' });
    }
  });

  const record = envelopeToRecord(envelope, new JsonSerializer(), undefined);
  it.each<[string, Partial<PendingRow>, RegExp]>([
    ['headers that are not JSON', { headers: '{oops' }, /headers are not JSON/],
    ['headers that are not strings', { headers: '{"a":1}' }, /headers\.a/],
    ['an id that is not a UUID', { id: 'nope' }, /id: must be a dashed UUID/],
    ['an empty tenant', { tenant: '' }, /tenantId/],
    ['a bad version', { version: 'x' }, /version/],
    ['a bad occurred_at', { occurredAt: 'yesterday' }, /occurredAt/],
    ['an empty partition key', { partitionKey: '' }, /partition_key/],
    ['a stream without a topic', { stream: 's' }, /both be set/],
    ['a payload that is not bytes', { payload: 'text' as never }, /payload is not bytes/],
    [
      'a payload that is not its content type',
      { payload: Buffer.from('{"a":') },
      /not valid application\/json/,
    ],
  ])('%s is a CorruptRow error', (_, patch, why) => {
    const attempt = () => rowToRequest(pending(record, patch), new SerializerRegistry());
    expect(attempt).toThrow(expect.objectContaining({ kind: 'CorruptRow' }));
    expect(attempt).toThrow(why);
  });

  it('does not check payloads when asked not to, or of content types it does not know', () => {
    const bad = Buffer.from('{"a":');
    expect(() => rowToRequest(pending(record, { payload: bad }))).not.toThrow();
    expect(() =>
      rowToRequest(
        pending(record, { payload: bad, contentType: 'application/x-mine' }),
        new SerializerRegistry(),
      ),
    ).not.toThrow();
  });
});
