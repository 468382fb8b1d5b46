import { describe, expect, it } from '@jest/globals';
import type { ReceivedMessage } from '../../../lib/connectors/message-subscriber.js';
import {
  DEAD_LETTER_TYPE,
  DlqHeader,
  NonRetryableError,
  UNKNOWN_TENANT,
  deadLetterEnvelope,
  headersFromJson,
  headersToJson,
  isNonRetryable,
  parseDeadLetter,
} from '../../../lib/dlq/index.js';
import { readEventMeta } from '../../../lib/events/envelope-headers.js';
import { envelopeToMessage, messageToEnvelope } from '../../../lib/events/envelope-message.js';
import { createEnvelope } from '../../../lib/events/event-envelope.js';
import { JsonSerializer } from '../../../lib/events/json-serializer.js';
import { uuidToMessageId } from '../../../lib/protocol/messages/message-id.js';
import { Header, type UserHeaders } from '../../../lib/protocol/primitives/user-headers.js';

const json = new JsonSerializer();

function received(headers: UserHeaders, payload: Buffer, id: string, offset = 7n): ReceivedMessage {
  return {
    stream: 's',
    topic: 'domain',
    partition: 2,
    offset,
    timestamp: 1_700_000_000_000_000n,
    id: uuidToMessageId(id),
    payload,
    headers,
  };
}

describe('dead letters', () => {
  it('round-trip every header kind through JSON', () => {
    const headers: UserHeaders = [
      { key: Header.string('s'), value: Header.string('text') },
      { key: Header.string('raw'), value: Header.raw(Buffer.from([0, 1, 255])) },
      { key: Header.string('b'), value: Header.bool(true) },
      { key: Header.string('i'), value: Header.int32(-5) },
      { key: Header.string('u128'), value: Header.uint128((1n << 100n) + 3n) },
      { key: Header.string('f'), value: Header.float64(1.5) },
      { key: Header.uint8(1), value: Header.int64(-(1n << 40n)) },
    ];
    const back = headersFromJson(JSON.parse(JSON.stringify(headersToJson(headers))));
    expect(back).toEqual(headers);
  });

  it('carry origin, handler, error and the original message; are routable from headers alone', () => {
    const original = createEnvelope({ tenantId: 'acme', type: 'order.created', payload: { a: 1 } });
    const request = envelopeToMessage(original, json);
    const message = received(request.headers, request.payload, original.id);
    const error = new NonRetryableError('nope');
    const dl = deadLetterEnvelope({
      message,
      event: readEventMeta(message),
      group: 'g',
      handler: 'H.m',
      error,
      attempts: 1,
    });
    expect(dl).toMatchObject({ type: DEAD_LETTER_TYPE, tenantId: 'acme', causationId: original.id });
    expect(dl.headers).toMatchObject({
      [DlqHeader.group]: 'g',
      [DlqHeader.handler]: 'H.m',
      [DlqHeader.eventType]: 'order.created',
    });

    const stored = envelopeToMessage(dl, json);
    const at = received(stored.headers, stored.payload, dl.id, 3n);
    const parsed = parseDeadLetter(messageToEnvelope(at, json), at);
    expect(parsed).toMatchObject({
      id: dl.id,
      group: 'g',
      handler: 'H.m',
      eventId: original.id,
      attempts: 1,
      error: { name: 'NonRetryableError', message: 'nope', nonRetryable: true },
      origin: { stream: 's', topic: 'domain', partition: 2, offset: 7n, timestamp: 1_700_000_000_000_000n },
      position: { partition: 2, offset: 3n },
      status: 'pending',
      redriveCount: 0,
    });
    expect(parsed.message.payload).toEqual(request.payload);
    expect(parsed.message.headers).toEqual(request.headers);
  });

  it('take the unknown tenant when the message had no readable headers', () => {
    const message = received([], Buffer.from('junk'), '0190a5b4-0000-7000-8000-000000000001');
    const dl = deadLetterEnvelope({
      message,
      event: undefined,
      group: 'g',
      handler: '(routing)',
      error: 'str',
      attempts: 0,
    });
    expect(dl.tenantId).toBe(UNKNOWN_TENANT);
    expect(dl.payload.error).toEqual({ name: 'string', message: 'str', nonRetryable: false });
  });

  it('recognise non-retryable errors', () => {
    expect(isNonRetryable(new NonRetryableError('x'))).toBe(true);
    expect(isNonRetryable(Object.assign(new Error('x'), { nonRetryable: true }))).toBe(true);
    expect(isNonRetryable(new Error('x'))).toBe(false);
    expect(isNonRetryable(null)).toBe(false);
  });
});
