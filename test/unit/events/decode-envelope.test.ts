import { describe, expect, it } from '@jest/globals';
import { readEventMeta } from '../../../lib/events/envelope-headers.js';
import { decodeEnvelope, envelopeToMessage } from '../../../lib/events/envelope-message.js';
import { createEnvelope } from '../../../lib/events/event-envelope.js';
import { SerializationError } from '../../../lib/events/event-errors.js';
import { JsonSerializer } from '../../../lib/events/json-serializer.js';
import { SerializerRegistry } from '../../../lib/events/serializer-registry.js';
import { received } from './wire.js';

const json = new JsonSerializer();

describe('decodeEnvelope (headers already read)', () => {
  it('gives the envelope: the metadata without the content type, optional fields only when present', () => {
    const bare = createEnvelope({ tenantId: 'acme', type: 'order.created', payload: { n: 1 } });
    const full = createEnvelope({
      tenantId: 'acme',
      type: 'order.created',
      payload: [1, 2],
      actorId: 'bob',
      correlationId: 'flow-1',
      causationId: 'cause-1',
      headers: { trace: 't-1' },
    });
    for (const envelope of [bare, full]) {
      const message = received(envelopeToMessage(envelope, json));
      const decoded = decodeEnvelope(message, readEventMeta(message), new SerializerRegistry());
      expect(decoded).toStrictEqual(envelope);
      expect(Object.keys(decoded).sort()).toEqual(Object.keys(envelope).sort());
      expect(decoded).not.toHaveProperty('contentType');
    }
  });

  it('names where the message sits when the payload cannot be decoded', () => {
    const envelope = createEnvelope({ tenantId: 'acme', type: 'order.created', payload: 1 });
    const message = received(envelopeToMessage(envelope, json), {
      partition: 3,
      offset: 9n,
      payload: Buffer.from('{not json'),
    });
    expect(() => decodeEnvelope(message, readEventMeta(message), json)).toThrow(SerializationError);
    expect(() => decodeEnvelope(message, readEventMeta(message), json)).toThrow(/partition 3, offset 9\)/);
  });
});
