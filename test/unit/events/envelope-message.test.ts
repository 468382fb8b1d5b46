import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  createEnvelope,
  EnvelopeHeader,
  EnvelopeValidationError,
  envelopeToMessage,
  JsonSerializer,
  messageToEnvelope,
  MsgpackSerializer,
  readEventMeta,
  SerializationError,
  SerializerRegistry,
  type EventEnvelope,
  type Serializer,
} from '../../../lib/events/index.js';
import { uuidToMessageId } from '../../../lib/protocol/messages/message-id.js';
import {
  Header,
  headersByStringKey,
  stringKeyedHeaders,
  type HeaderField,
} from '../../../lib/protocol/primitives/user-headers.js';
import { fuzzRuns, randomBytes } from '../../support/fuzz.js';
import { msgpackValue } from './arbitraries.js';
import { received } from './wire.js';

const json = new JsonSerializer();
const msgpack = new MsgpackSerializer();
const registry = new SerializerRegistry();

const text = (max = 20): fc.Arbitrary<string> => fc.string({ minLength: 1, maxLength: max });
const envelopeOf = <T>(payload: fc.Arbitrary<T>): fc.Arbitrary<EventEnvelope<T>> =>
  fc
    .record(
      {
        tenantId: text(),
        type: text(),
        version: fc.nat(),
        actorId: text(),
        correlationId: text(),
        causationId: text(),
        headers: fc.dictionary(text(10), text(), { maxKeys: 4 }),
        payload,
      },
      { requiredKeys: ['tenantId', 'type', 'version', 'headers', 'payload'] },
    )
    .map((input) => createEnvelope(input));

function sample(payload: unknown = { orderId: 'o-1', total: 42 }): EventEnvelope {
  return createEnvelope({
    tenantId: 'acme',
    type: 'order.created',
    payload,
    actorId: 'user-1',
    correlationId: 'c-1',
    headers: { trace: 't-1' },
  });
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('did not throw');
}

describe('envelope ↔ message', () => {
  it('round-trips through JSON with any JSON payload', () => {
    fc.assert(
      // JSON has no -0: compare against what JSON can carry.
      fc.property(envelopeOf(fc.jsonValue().map((v) => JSON.parse(JSON.stringify(v)) as unknown)), (e) => {
        expect(messageToEnvelope(received(envelopeToMessage(e, json)), registry)).toEqual(e);
      }),
    );
  });

  it('round-trips through MessagePack with dates, bigints and nested shapes', () => {
    fc.assert(
      fc.property(envelopeOf(msgpackValue), (e) => {
        expect(messageToEnvelope(received(envelopeToMessage(e, msgpack)), registry)).toEqual(e);
      }),
    );
  });

  it('builds the publish request: tenant key, event id, serialized payload, target', () => {
    const e = sample();
    const r = envelopeToMessage(e, msgpack, { stream: 'shop', topic: 'system' });
    expect([r.stream, r.topic, r.partitionKey, r.eventId]).toEqual(['shop', 'system', 'acme', e.id]);
    expect(msgpack.deserialize(r.payload)).toEqual(e.payload);
    const d = envelopeToMessage(e, json);
    expect([d.stream, d.topic]).toEqual([undefined, undefined]);
    expect(JSON.parse(d.payload.toString())).toEqual(e.payload);
  });

  it('targets a topic of the default stream with { topic } alone', () => {
    const e = sample();
    const r = envelopeToMessage(e, json, { topic: 'system' });
    expect([r.stream, r.topic, r.partitionKey, r.eventId]).toEqual([undefined, 'system', 'acme', e.id]);
    expect(r.headers).toEqual(envelopeToMessage(e, json, { stream: 's', topic: 'system' }).headers);
    expect(JSON.parse(r.payload.toString())).toEqual(e.payload);
  });

  it('puts the metadata in string headers, its own headers under h.', () => {
    const e = sample();
    const headers = headersByStringKey(envelopeToMessage(e, json).headers);
    const plain = Object.fromEntries([...headers].map(([k, v]) => [k, v.value]));
    expect(plain).toEqual({
      event_id: e.id,
      event_type: 'order.created',
      event_version: '1',
      tenant_id: 'acme',
      actor_id: 'user-1',
      occurred_at: e.occurredAt,
      correlation_id: 'c-1',
      content_type: 'application/json',
      'h.trace': 't-1',
    });
  });

  it('routes on headers alone: readEventMeta never decodes the payload', () => {
    const e = sample();
    const msg = received(envelopeToMessage(e, msgpack), { payload: Buffer.from('not msgpack at all') });
    const { payload: _payload, ...meta } = e;
    expect(readEventMeta(msg)).toEqual({ ...meta, contentType: 'application/msgpack' });
  });

  it('reads messages from other producers: id from the message id, integer version, no content type', () => {
    const id = '01890a5d-ac96-774b-bcce-b302099a8057';
    const msg = {
      ...received(envelopeToMessage(sample(), json)),
      id: uuidToMessageId(id),
      payload: Buffer.from('{"x":1}'),
      headers: stringKeyedHeaders({
        tenant_id: Header.string('t'),
        event_type: Header.string('x.happened'),
        event_version: Header.uint32(7),
        occurred_at: Header.string('2025-01-31T12:00:00+01:00'),
        other: Header.int32(5),
      }),
    };
    expect(messageToEnvelope(msg)).toEqual({
      id,
      tenantId: 't',
      type: 'x.happened',
      version: 7,
      occurredAt: '2025-01-31T12:00:00+01:00',
      headers: {},
      payload: { x: 1 },
    });
  });

  it('fails on a bad payload with a SerializationError naming stream, topic, partition and offset', () => {
    const e = sample();
    const msg = received(envelopeToMessage(e, json, { stream: 'shop', topic: 'domain' }), {
      partition: 3,
      offset: 42n,
      payload: Buffer.from('{"orderId":'),
    });
    const err = thrown(() => messageToEnvelope(msg, registry)) as SerializationError;
    expect(err).toBeInstanceOf(SerializationError);
    expect(err).not.toBeInstanceOf(SyntaxError);
    expect(err.cause).toBeInstanceOf(SerializationError);
    expect(err).toMatchObject({
      kind: 'Deserialize',
      stream: 'shop',
      topic: 'domain',
      partition: 3,
      offset: 42n,
    });
    expect(err.message).toMatch(
      new RegExp(
        `^event ${e.id} \\(order.created\\): JSON payload is malformed: .* \\(stream 'shop', topic 'domain', partition 3, offset 42\\)$`,
      ),
    );
  });

  it('never throws anything but the typed errors on random payloads', () => {
    const jsonMsg = received(envelopeToMessage(sample(), json));
    const packMsg = received(envelopeToMessage(sample(), msgpack));
    fc.assert(
      fc.property(randomBytes(), fc.boolean(), (payload, pack) => {
        try {
          messageToEnvelope({ ...(pack ? packMsg : jsonMsg), payload }, registry);
        } catch (err) {
          if (!(err instanceof SerializationError) || err.partition !== 0) throw err;
        }
      }),
      { numRuns: fuzzRuns() },
    );
  });

  it('wraps a custom serializer that throws raw errors', () => {
    const broken: Serializer = {
      format: 'broken',
      contentType: 'application/x-broken',
      serialize: () => {
        throw new TypeError('nope');
      },
      deserialize: () => {
        throw new RangeError('nope');
      },
    };
    expect(thrown(() => envelopeToMessage(sample(), broken))).toMatchObject({
      name: 'SerializationError',
      kind: 'Serialize',
    });
    const msg = received(envelopeToMessage(sample(), json));
    msg.headers = msg.headers.map((h) =>
      h.key.value === 'content_type' ? { ...h, value: Header.string('application/x-broken') } : h,
    );
    expect(thrown(() => messageToEnvelope(msg, new SerializerRegistry().register(broken)))).toMatchObject({
      kind: 'Deserialize',
      offset: 0n,
    });
  });

  it('rejects an unknown content type, or one the single given serializer does not speak', () => {
    const msg = received(envelopeToMessage(sample(), msgpack), { offset: 5n });
    expect(thrown(() => messageToEnvelope(msg, json))).toMatchObject({
      kind: 'UnknownContentType',
      offset: 5n,
    });
    expect(messageToEnvelope(msg, msgpack).payload).toEqual(sample().payload);
    const onlyJson = new SerializerRegistry([json]);
    expect(thrown(() => messageToEnvelope(msg, onlyJson))).toMatchObject({
      kind: 'UnknownContentType',
      contentType: 'application/msgpack',
    });
  });

  it('rejects missing or mistyped headers with an EnvelopeValidationError naming the header and offset', () => {
    const base = received(envelopeToMessage(sample(), json), { partition: 1, offset: 7n });
    const without = (name: string) => ({
      ...base,
      headers: base.headers.filter((h) => h.key.value !== name),
    });
    const replaced = (name: string, value: HeaderField) => ({
      ...base,
      headers: base.headers.map((h) => (h.key.value === name ? { ...h, value } : h)),
    });
    const fieldOf = (msg: typeof base) => {
      const err = thrown(() => readEventMeta(msg)) as EnvelopeValidationError;
      expect(err).toBeInstanceOf(EnvelopeValidationError);
      expect([err.partition, err.offset]).toEqual([1, 7n]);
      return err.field;
    };
    for (const name of [
      EnvelopeHeader.tenantId,
      EnvelopeHeader.eventType,
      EnvelopeHeader.eventVersion,
      EnvelopeHeader.occurredAt,
    ]) {
      expect(fieldOf(without(name))).toBe(`header ${name}`);
    }
    expect(fieldOf(replaced('event_type', Header.int32(1)))).toBe('header event_type');
    expect(fieldOf(replaced('event_version', Header.string('v2')))).toBe('header event_version');
    expect(fieldOf(replaced('event_version', Header.float64(1)))).toBe('header event_version');
    expect(fieldOf(replaced('event_id', Header.string('nope')))).toBe('header event_id');
    expect(fieldOf(replaced('occurred_at', Header.string('soon')))).toBe('header occurred_at');
    expect(fieldOf(replaced('h.trace', Header.bool(true)))).toBe('header h.trace');
    expect(() => readEventMeta(without('tenant_id'))).toThrow(
      "envelope header tenant_id: is missing (stream 'rustok', topic 'domain', partition 1, offset 7)",
    );
  });

  it('carries a header named __proto__ as a plain own property', () => {
    const e = createEnvelope({
      tenantId: 't',
      type: 'x',
      payload: 1,
      headers: JSON.parse('{"__proto__":"p"}'),
    });
    expect(Object.keys(e.headers)).toEqual(['__proto__']);
    const back = messageToEnvelope(received(envelopeToMessage(e, json)));
    expect(Object.getOwnPropertyDescriptor(back.headers, '__proto__')?.value).toBe('p');
    expect(Object.getPrototypeOf(back.headers)).toBe(Object.prototype);
  });

  it('validates an envelope before publishing it', () => {
    const bad = { ...sample(), tenantId: '' };
    expect(thrown(() => envelopeToMessage(bad, json))).toMatchObject({ field: 'tenantId' });
  });
});
