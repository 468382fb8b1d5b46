import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { ReceivedMessage } from '../../../lib/connectors/message-subscriber.js';
import { SubscribedMessage } from '../../../lib/connectors/subscribed-message.js';
import { EnvelopeHeader, readEventMeta } from '../../../lib/events/envelope-headers.js';
import { createEnvelope } from '../../../lib/events/event-envelope.js';
import { EnvelopeValidationError } from '../../../lib/events/event-errors.js';
import { envelopeToMessage } from '../../../lib/events/envelope-message.js';
import { JsonSerializer } from '../../../lib/events/json-serializer.js';

const jsonSerializer = new JsonSerializer();
import { ProtocolError } from '../../../lib/protocol/protocol-error.js';
import {
  decodeUserHeaders,
  encodeUserHeaders,
  Header,
  type HeaderEntry,
} from '../../../lib/protocol/primitives/user-headers.js';
import { headersArb } from '../protocol/messages/message-arbitraries.js';
import { fuzzRuns, mutated } from '../../support/fuzz.js';

/** The same message twice: headers left encoded (as a subscription hands it out), and decoded. */
function both(encoded: Buffer): [SubscribedMessage, () => ReceivedMessage] {
  const polled = new SubscribedMessage('s', 't', 3, 7n, 1n, 42n, Buffer.from('{}'), encoded);
  const decoded = (): ReceivedMessage => ({ ...fields(polled), headers: decodeUserHeaders(encoded) });
  return [polled, decoded];
}

function fields(m: SubscribedMessage): Omit<ReceivedMessage, 'headers'> {
  const { stream, topic, partition, offset, timestamp, id, payload } = m;
  return { stream, topic, partition, offset, timestamp, id, payload };
}

/** What `readEventMeta` gives (the meta and the headers it left aside), or the error it throws. */
function outcome(message: ReceivedMessage): unknown {
  const rest: HeaderEntry[] = [];
  try {
    return { meta: readEventMeta(message, rest), rest };
  } catch (err) {
    if (err instanceof EnvelopeValidationError || err instanceof ProtocolError) {
      return { error: err.constructor.name, message: err.message };
    }
    throw err;
  }
}

const text = fc.oneof(
  fc.string({ minLength: 1, maxLength: 20 }),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }),
);
const envelopeHeaders = fc
  .record(
    {
      tenantId: text,
      type: text,
      version: fc.nat(),
      actorId: text,
      correlationId: text,
      headers: fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), text, { maxKeys: 3 }),
    },
    { requiredKeys: ['tenantId', 'type', 'version', 'headers'] },
  )
  .map((input) => envelopeToMessage(createEnvelope({ ...input, payload: {} }), jsonSerializer).headers);

describe('readEventMeta on headers still encoded', () => {
  it('reads what it reads from decoded headers, other headers (any kind) and duplicates included', () => {
    fc.assert(
      fc.property(envelopeHeaders, headersArb, fc.boolean(), (envelope, others, othersFirst) => {
        const encoded = encodeUserHeaders(othersFirst ? [...others, ...envelope] : [...envelope, ...others]);
        const [polled, decoded] = both(encoded);
        expect(outcome(polled)).toEqual(outcome(decoded()));
      }),
      { numRuns: fuzzRuns(200) },
    );
  });

  it('fails like the decoded path on a missing or mistyped envelope header', () => {
    const valid = envelopeToMessage(
      createEnvelope({ tenantId: 'acme', type: 'order.created', payload: {} }),
      jsonSerializer,
    ).headers;
    const cases: HeaderEntry[][] = [
      valid.filter((h) => h.key.value !== EnvelopeHeader.tenantId),
      valid.map((h) =>
        h.key.value === EnvelopeHeader.eventType ? { key: h.key, value: Header.int32(5) } : h,
      ),
      valid.map((h) =>
        h.key.value === EnvelopeHeader.eventVersion ? { key: h.key, value: Header.uint16(3) } : h,
      ),
    ];
    for (const headers of cases) {
      const [polled, decoded] = both(encodeUserHeaders(headers));
      expect(outcome(polled)).toEqual(outcome(decoded()));
    }
    const [missing] = both(encodeUserHeaders(cases[0]!));
    expect(() => readEventMeta(missing)).toThrow(EnvelopeValidationError);
  });

  it('never crashes on damaged header bytes: a typed error, the same one `headers` would throw', () => {
    const valid = encodeUserHeaders(
      envelopeToMessage(
        createEnvelope({ tenantId: 'acme', type: 'order.created', payload: {} }),
        jsonSerializer,
      ).headers,
    );
    fc.assert(
      fc.property(mutated(valid), (bytes) => {
        const [polled] = both(bytes);
        const result = outcome(polled) as { error?: string; message?: string };
        let decodeError: unknown;
        try {
          decodeUserHeaders(bytes);
        } catch (err) {
          decodeError = err;
        }
        if (decodeError instanceof ProtocolError) {
          expect(result).toEqual({ error: 'ProtocolError', message: decodeError.message });
          expect(() => polled.headers).toThrow(decodeError.message);
        } else expect(decodeError).toBeUndefined();
      }),
      { numRuns: fuzzRuns(300) },
    );
  });
});
