import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { IggyErrorCode } from '../../../../lib/protocol/codes/error-codes.js';
import {
  Header,
  HeaderKind,
  decodeUserHeaders,
  encodeStringHeaders,
  encodeUserHeaders,
  headersByStringKey,
  stringKeyedHeaders,
  userHeadersSize,
  validateUserHeaders,
  type HeaderField,
  type UserHeaders,
} from '../../../../lib/protocol/primitives/user-headers.js';
import { ProtocolError } from '../../../../lib/protocol/protocol-error.js';
import { headerFieldArb, headersArb } from '../messages/message-arbitraries.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/ /g, ''), 'hex');
const str = (value: string): HeaderField => Header.string(value);

function errorCodeOf(fn: () => unknown): number {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ProtocolError);
    return (err as ProtocolError).code;
  }
  throw new Error('expected a ProtocolError');
}

describe('user headers', () => {
  it('round-trips entries of every kind (keys of every kind too)', () => {
    fc.assert(
      fc.property(headersArb, (headers) => {
        const bytes = encodeUserHeaders(headers);
        expect(bytes.length).toBe(userHeadersSize(headers));
        expect(decodeUserHeaders(bytes)).toEqual(headers);
        validateUserHeaders(bytes);
      }),
      { numRuns: 500 },
    );
  });

  it('round-trips each kind on its own', () => {
    for (let kind = HeaderKind.Raw; kind <= HeaderKind.Float64; kind++) {
      const arb = headerFieldArb.filter((f) => f.kind === kind);
      fc.assert(
        fc.property(arb, (value) => {
          const headers: UserHeaders = [{ key: str('k'), value }];
          expect(decodeUserHeaders(encodeUserHeaders(headers))).toEqual(headers);
        }),
        { numRuns: 50 },
      );
    }
  });

  it('lays an entry out as u8 kind · u32 length · bytes, for key then value', () => {
    // From the official SDK's "send with user headers" vector.
    const headers: UserHeaders = [
      { key: str('flag'), value: Header.bool(true) },
      { key: str('n32'), value: Header.int32(-5) },
      { key: str('u64'), value: Header.uint64(1234567890123n) },
      { key: str('f64'), value: Header.float64(1.5) },
      { key: str('raw'), value: Header.raw(Buffer.from([1, 2, 3])) },
    ];
    expect(encodeUserHeaders(headers)).toEqual(
      hex(
        '02 04000000 666c6167 03 01000000 01' +
          '02 03000000 6e3332 06 04000000 fbffffff' +
          '02 03000000 753634 0c 08000000 cb04fb711f010000' +
          '02 03000000 663634 0f 08000000 000000000000f83f' +
          '02 03000000 726177 01 03000000 010203',
      ),
    );
  });

  it('writes 128-bit integers as 16-byte little-endian two’s complement', () => {
    const bytes = encodeUserHeaders([{ key: str('i'), value: Header.int128(-2n) }]);
    expect(bytes.subarray(-16)).toEqual(Buffer.alloc(16, 0xff).fill(0xfe, 0, 1));
    const u = encodeUserHeaders([{ key: str('u'), value: Header.uint128(1n << 64n) }]);
    expect(u.subarray(-16)).toEqual(hex('0000000000000000 0100000000000000'));
  });

  it('encodes nothing for no headers', () => {
    expect(encodeUserHeaders(undefined).length).toBe(0);
    expect(encodeUserHeaders([]).length).toBe(0);
    expect(decodeUserHeaders(Buffer.alloc(0))).toEqual([]);
  });

  it('rejects out-of-range values when encoding', () => {
    const bad: HeaderField[] = [
      Header.string(''),
      Header.string('x'.repeat(256)),
      Header.raw(Buffer.alloc(0)),
      Header.int8(128),
      Header.int16(-32769),
      Header.int32(2 ** 31),
      Header.uint8(-1),
      Header.uint16(1.5),
      Header.uint32(2 ** 32),
      Header.int64(1n << 63n),
      Header.uint64(-1n),
      Header.int128(1n << 127n),
      Header.uint128(1n << 128n),
      { kind: 99 as 2, value: 'x' },
    ];
    for (const value of bad) {
      expect(errorCodeOf(() => encodeUserHeaders([{ key: str('k'), value }]))).toBe(
        IggyErrorCode.InvalidHeaderValue,
      );
      expect(errorCodeOf(() => encodeUserHeaders([{ key: value, value: str('v') }]))).toBe(
        IggyErrorCode.InvalidHeaderKey,
      );
    }
  });

  it('caps the total at 100,000 bytes', () => {
    const entry = { key: str('k'.repeat(255)), value: str('v'.repeat(255)) }; // 520 bytes
    const ok = Array.from({ length: 192 }, () => entry); // 99,840
    expect(userHeadersSize(ok)).toBe(99_840);
    expect(errorCodeOf(() => userHeadersSize([...ok, entry]))).toBe(IggyErrorCode.TooBigUserHeaders);
    expect(errorCodeOf(() => decodeUserHeaders(Buffer.alloc(100_001)))).toBe(IggyErrorCode.TooBigUserHeaders);
  });

  it('rejects malformed encodings', () => {
    const cases: [string, string, number][] = [
      ['unknown key kind', '10 01000000 61 02 01000000 62', IggyErrorCode.InvalidHeaderKey],
      ['unknown value kind', '02 01000000 61 00 01000000 62', IggyErrorCode.InvalidHeaderValue],
      ['empty key', '02 00000000 02 01000000 62', IggyErrorCode.InvalidHeaderKey],
      ['key over 255', '02 00010000', IggyErrorCode.InvalidHeaderKey],
      ['wrong fixed size', '02 01000000 61 06 02000000 0102', IggyErrorCode.InvalidHeaderValue],
      ['bool byte 2', '02 01000000 61 03 01000000 02', IggyErrorCode.InvalidHeaderValue],
      ['key without value', '02 01000000 61', IggyErrorCode.InvalidHeaderValue],
      ['cut value header', '02 01000000 61 02 0100', IggyErrorCode.InvalidHeaderValue],
      ['value past the end', '02 01000000 61 02 05000000 6262', IggyErrorCode.InvalidHeaderValue],
      ['invalid UTF-8', '02 01000000 ff 02 01000000 62', IggyErrorCode.InvalidUtf8],
      ['invalid UTF-8 after ASCII', '02 03000000 6162ff 02 01000000 62', IggyErrorCode.InvalidUtf8],
      ['a lone continuation byte in a value', '02 01000000 61 02 02000000 6280', IggyErrorCode.InvalidUtf8],
    ];
    for (const [, bytes, code] of cases) {
      expect(errorCodeOf(() => decodeUserHeaders(hex(bytes)))).toBe(code);
      expect(errorCodeOf(() => validateUserHeaders(hex(bytes)))).toBe(code);
    }
  });

  it('reads ASCII and multi-byte UTF-8 strings alike', () => {
    const headers = [
      { key: str('tenant_id'), value: str('acme') },
      { key: str('clé'), value: str('日本語 ✓ 🚀') },
    ];
    expect(decodeUserHeaders(encodeUserHeaders(headers))).toEqual(headers);
  });

  it('decodes a slice of a larger buffer', () => {
    const inner = encodeUserHeaders([{ key: str('a'), value: Header.uint8(7) }]);
    const outer = Buffer.concat([hex('ffff'), inner, hex('ffff')]);
    expect(decodeUserHeaders(outer, 2, 2 + inner.length)).toEqual([
      { key: str('a'), value: Header.uint8(7) },
    ]);
  });

  it('converts to and from string-keyed maps', () => {
    const headers = stringKeyedHeaders({ tenant: str('t-1'), attempt: Header.uint32(3) });
    expect(headers).toEqual([
      { key: str('tenant'), value: str('t-1') },
      { key: str('attempt'), value: Header.uint32(3) },
    ]);
    const map = headersByStringKey([...headers, { key: Header.int32(1), value: str('skipped') }]);
    expect([...map.keys()]).toEqual(['tenant', 'attempt']);
    expect(map.get('attempt')).toEqual(Header.uint32(3));
  });
});

describe('encodeStringHeaders', () => {
  const field = (text: string): Buffer => {
    const bytes = Buffer.from(text, 'utf8');
    const head = Buffer.alloc(5);
    head[0] = HeaderKind.String;
    head.writeUInt32LE(bytes.length, 1);
    return Buffer.concat([head, bytes]);
  };
  // ASCII text is written in JS, anything else by Buffer: text that turns non-ASCII late, or is long, too.
  const text = fc
    .tuple(
      fc.string({ maxLength: 40 }),
      fc.oneof(fc.constant(''), fc.string({ unit: 'binary', maxLength: 20 })),
    )
    .map(([ascii, rest]) => ascii + rest)
    .filter((t) => {
      const n = Buffer.byteLength(t, 'utf8');
      return n >= 1 && n <= 255;
    });

  it('writes each string as UTF-8 behind its kind and length, like Buffer does', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(text, text), { minLength: 1, maxLength: 6 }), (pairs) => {
        const expected = Buffer.concat(pairs.flatMap(([k, v]) => [field(k), field(v)]));
        expect(encodeStringHeaders(pairs.flat())).toEqual(expected);
      }),
    );
  });

  it('refuses a string of more than 255 UTF-8 bytes, ASCII or not', () => {
    expect(() => encodeStringHeaders(['k', 'a'.repeat(256)])).toThrow(/1\.\.255 bytes, got 256/);
    expect(() => encodeStringHeaders(['k', 'é'.repeat(128)])).toThrow(/1\.\.255 bytes, got 256/);
  });
});

describe('decoded string keys', () => {
  it('are shared, frozen fields across messages; values are not', () => {
    const bytes = encodeStringHeaders(['tenant_id', 'acme', 'ключ', 'значение']);
    const [first, second] = [decodeUserHeaders(bytes), decodeUserHeaders(Buffer.from(bytes))];
    expect(first).toEqual([
      { key: Header.string('tenant_id'), value: Header.string('acme') },
      { key: Header.string('ключ'), value: Header.string('значение') },
    ]);
    expect(second).toEqual(first);
    expect(second[0]!.key).toBe(first[0]!.key);
    expect(Object.isFrozen(first[0]!.key)).toBe(true);
    expect(second[0]!.value).not.toBe(first[0]!.value);
    expect(second[1]!.key).not.toBe(first[1]!.key); // not ASCII: decoded each time
  });

  it('decode the same once far more distinct keys were seen than are remembered', () => {
    for (let i = 0; i < 1_000; i++) {
      const key = `key-${i}`;
      expect(decodeUserHeaders(encodeStringHeaders([key, 'v']))[0]!.key).toEqual(Header.string(key));
    }
    const lookalike = encodeStringHeaders(['key-1', 'v']);
    lookalike[5 + 4] = 0x32; // 'key-2'
    expect(decodeUserHeaders(lookalike)[0]!.key).toEqual(Header.string('key-2'));
  });
});
