import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  JsonSerializer,
  MsgpackSerializer,
  SerializationError,
  SerializerRegistry,
  type Serializer,
} from '../../../lib/events/index.js';
import { fuzzRuns, randomBytes } from '../../support/fuzz.js';
import { msgpackValue } from './arbitraries.js';

const json = new JsonSerializer();
const msgpack = new MsgpackSerializer();

function rejectsTyped(serializer: Serializer, bytes: Buffer): boolean {
  try {
    serializer.deserialize(bytes);
    return true;
  } catch (err) {
    if (err instanceof SerializationError && err.kind === 'Deserialize') return true;
    throw err;
  }
}

/** `fc.jsonValue()` can hold -0, which JSON writes as 0: the one JSON value that does not survive. */
function withoutNegativeZero(value: fc.JsonValue): fc.JsonValue {
  if (Object.is(value, -0)) return 0;
  if (Array.isArray(value)) return value.map(withoutNegativeZero);
  if (value !== null && typeof value === 'object') {
    const copy: Record<string, fc.JsonValue> = {};
    // defineProperty: a "__proto__" key stays an own property, as JSON.parse makes it.
    for (const [key, v] of Object.entries(value)) {
      Object.defineProperty(copy, key, { value: withoutNegativeZero(v!), enumerable: true, writable: true });
    }
    return copy;
  }
  return value;
}

describe('JsonSerializer', () => {
  it('round-trips JSON values', () => {
    const jsonValues = fc.jsonValue().map(withoutNegativeZero);
    fc.assert(fc.property(jsonValues, (v) => expect(json.deserialize(json.serialize(v))).toEqual(v)));
  });

  it('carries -0 as 0 (JSON has no negative zero)', () => {
    expect(json.deserialize(json.serialize({ n: -0, list: [-0] }))).toEqual({ n: 0, list: [0] });
  });

  it('is plain UTF-8 JSON', () => {
    expect(json.serialize({ a: 'é', d: new Date(0) }).toString('utf8')).toBe(
      '{"a":"é","d":"1970-01-01T00:00:00.000Z"}',
    );
  });

  it('fails with a typed error on what JSON cannot carry', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const bad of [{ n: 1n }, cyclic, undefined, () => 1]) {
      expect(() => json.serialize(bad)).toThrow(SerializationError);
    }
    expect(() => json.serialize({ n: 1n })).toThrow(/JSON cannot serialize the payload/);
  });

  it('turns malformed bytes into SerializationError, never a SyntaxError', () => {
    const err = (() => {
      try {
        json.deserialize(Buffer.from('{"a":'));
      } catch (e) {
        return e;
      }
    })() as SerializationError;
    expect(err).toBeInstanceOf(SerializationError);
    expect(err.kind).toBe('Deserialize');
    expect(err.cause).toBeInstanceOf(SyntaxError);
    expect(() => json.deserialize(Buffer.from([0x22, 0xff, 0x22]))).toThrow(/not valid UTF-8/);
    fc.assert(
      fc.property(randomBytes(), (b) => rejectsTyped(json, b)),
      { numRuns: fuzzRuns() },
    );
  });
});

describe('MsgpackSerializer', () => {
  it('round-trips values, keeping Date, bigint and undefined', () => {
    fc.assert(fc.property(msgpackValue, (v) => expect(msgpack.deserialize(msgpack.serialize(v))).toEqual(v)));
    const value = {
      at: new Date(1_700_000_000_123),
      big: 2n ** 63n,
      none: undefined,
      bytes: Buffer.from([1, 2]),
    };
    expect(msgpack.deserialize(msgpack.serialize(value))).toEqual({
      ...value,
      bytes: Uint8Array.from([1, 2]),
    });
  });

  it('reads a Map back as a plain object and a Set as an array, as its doc says', () => {
    const decoded = msgpack.deserialize(msgpack.serialize({ m: new Map([['k', 1]]), s: new Set([1, 2]) }));
    expect(decoded).toEqual({ m: { k: 1 }, s: [1, 2] });
    expect((decoded as { m: unknown }).m).not.toBeInstanceOf(Map);
  });

  it('writes standard MessagePack (a map16, no msgpackr records)', () => {
    expect(msgpack.serialize({ a: 1 }).toString('hex')).toBe('de0001a16101');
  });

  it('fails with a typed error on bad input and bad values', () => {
    expect(() => msgpack.serialize({ n: 1n << 70n })).toThrow(SerializationError);
    expect(() => msgpack.deserialize(Buffer.from([0x92, 0x01]))).toThrow(/MessagePack payload is malformed/);
    expect(() => msgpack.deserialize(Buffer.alloc(0))).toThrow(SerializationError);
    fc.assert(
      fc.property(randomBytes(), (b) => rejectsTyped(msgpack, b)),
      { numRuns: fuzzRuns() },
    );
  });
});

describe('SerializerRegistry', () => {
  it('finds the built-ins by content type (case and parameters ignored) and by format', () => {
    const r = new SerializerRegistry();
    expect(r.default).toBeInstanceOf(JsonSerializer);
    expect(r.get('Application/JSON; charset=utf-8')).toBeInstanceOf(JsonSerializer);
    expect(r.get('application/msgpack')).toBeInstanceOf(MsgpackSerializer);
    expect(r.byFormat('msgpack')).toBeInstanceOf(MsgpackSerializer);
    expect(r.contentTypes()).toEqual(['application/json', 'application/msgpack']);
  });

  it('plugs in a serializer of your own and can make it the default', () => {
    const text: Serializer = {
      format: 'text',
      contentType: 'text/plain',
      serialize: (v) => Buffer.from(String(v)),
      deserialize: (b) => b.toString(),
    };
    const r = new SerializerRegistry().register(text, { asDefault: true });
    expect(r.get('text/plain')).toBe(text);
    expect(r.default).toBe(text);
  });

  it('throws UnknownContentType for an unknown type', () => {
    const r = new SerializerRegistry();
    expect(() => r.get('application/xml')).toThrow(
      expect.objectContaining({ kind: 'UnknownContentType', contentType: 'application/xml' }),
    );
    expect(() => new SerializerRegistry([])).toThrow(SerializationError);
  });
});
