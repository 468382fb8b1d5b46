import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { IggyErrorCode } from '../../../../lib/protocol/codes/error-codes.js';
import {
  encodeMessages,
  encodePolledMessages,
  measureMessages,
  type OutgoingMessage,
} from '../../../../lib/protocol/messages/message-batch.js';
import { MessageLayout } from '../../../../lib/protocol/messages/message-layout.js';
import { MessageRun } from '../../../../lib/protocol/messages/message-run.js';
import { decodeMessages, validateMessages } from '../../../../lib/protocol/messages/message-decode.js';
import { Header } from '../../../../lib/protocol/primitives/user-headers.js';
import { ProtocolError } from '../../../../lib/protocol/protocol-error.js';
import { outgoingMessageArb, polledMessageArb } from './message-arbitraries.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/ /g, ''), 'hex');
const NOW = 1_700_000_000_000_000n;

function errorCodeOf(fn: () => unknown): number {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ProtocolError);
    return (err as ProtocolError).code;
  }
  throw new Error('expected a ProtocolError');
}

describe('message encoding', () => {
  it('writes the 64-byte header, then the payload, then the user headers', () => {
    const run = encodeMessages(
      [
        {
          id: 5n,
          payload: Buffer.from('p'),
          headers: [{ key: Header.string('a'), value: Header.bool(true) }],
        },
      ],
      NOW,
    );
    expect(run).toEqual(
      hex(
        '0000000000000000' + // checksum (server)
          '05000000000000000000000000000000' + // id u128
          '0000000000000000' + // offset (server)
          '0000000000000000' + // timestamp (server)
          '00401e18240a0600' + // origin timestamp, µs (1_700_000_000_000_000)
          '0c000000' + // user headers length
          '01000000' + // payload length
          '0000000000000000' + // reserved
          '70' + // payload
          '02 01000000 61 03 01000000 01', // user headers
      ),
    );
  });

  it('defaults id to 0 and origin timestamp to now, in microseconds', () => {
    const before = BigInt(Date.now()) * 1000n;
    const [m] = decodeMessages(encodeMessages([{ payload: Buffer.from('x') }]));
    const after = BigInt(Date.now()) * 1000n;
    expect(m!.id).toBe(0n);
    expect(m!.originTimestamp >= before && m!.originTimestamp <= after).toBe(true);
  });

  it('writes u128 ids little-endian', () => {
    const max = (1n << 128n) - 1n;
    const run = encodeMessages([{ id: max - 1n, payload: Buffer.from('x') }], NOW);
    expect(run.subarray(8, 24)).toEqual(hex('feffffffffffffffffffffffffffffff'));
    expect(decodeMessages(run)[0]!.id).toBe(max - 1n);
  });

  it('round-trips messages through decode, payloads as views', () => {
    fc.assert(
      fc.property(fc.array(outgoingMessageArb, { maxLength: 6 }), (messages) => {
        const run = encodeMessages(messages, NOW);
        expect(run.length).toBe(measureMessages(messages).runBytes);
        const decoded = decodeMessages(run, messages.length);
        expect(decoded).toEqual(
          messages.map((m) => ({
            checksum: 0n,
            id: m.id,
            offset: 0n,
            timestamp: 0n,
            originTimestamp: m.originTimestamp,
            headers: m.headers ?? [],
            payload: m.payload,
          })),
        );
        for (const d of decoded) expect(d.payload.buffer).toBe(run.buffer);
        expect(validateMessages(run, { count: messages.length }).length).toBe(messages.length);
      }),
    );
  });

  it('round-trips stored messages with every header field', () => {
    fc.assert(
      fc.property(fc.array(polledMessageArb, { maxLength: 5 }), (messages) => {
        expect(decodeMessages(encodePolledMessages(messages))).toEqual(messages);
      }),
    );
  });

  it('rejects bad outgoing messages', () => {
    const p = Buffer.from('x');
    expect(errorCodeOf(() => encodeMessages([{ payload: Buffer.alloc(0) }]))).toBe(
      IggyErrorCode.InvalidMessagePayloadLength,
    );
    expect(errorCodeOf(() => encodeMessages([{ id: -1n, payload: p }]))).toBe(IggyErrorCode.InvalidFormat);
    expect(errorCodeOf(() => encodeMessages([{ id: 1n << 128n, payload: p }]))).toBe(
      IggyErrorCode.InvalidFormat,
    );
    expect(errorCodeOf(() => encodeMessages([{ payload: p, originTimestamp: 1n << 64n }]))).toBe(
      IggyErrorCode.InvalidFormat,
    );
    expect(errorCodeOf(() => encodeMessages([{ payload: 'text' as unknown as Uint8Array }]))).toBe(
      IggyErrorCode.InvalidMessagePayloadLength,
    );
    const tooBig = { length: 64_000_001 } as unknown as Uint8Array;
    Object.setPrototypeOf(tooBig, Uint8Array.prototype);
    expect(errorCodeOf(() => measureMessages([{ payload: tooBig }]))).toBe(
      IggyErrorCode.TooBigMessagePayload,
    );
  });
});

describe('message validation', () => {
  const two = encodeMessages(
    [
      { id: 1n, payload: Buffer.from('a') },
      { id: 2n, payload: Buffer.from('bb'), headers: [{ key: Header.string('k'), value: Header.uint8(1) }] },
    ],
    NOW,
  );
  const end1 = 65;
  const end2 = two.length;
  const index = (...ends: number[]): Buffer => {
    const b = Buffer.alloc(ends.length * 16);
    ends.forEach((e, i) => b.writeUInt32LE(e, i * 16 + 4));
    return b;
  };
  const patched = (at: number, write: (b: Buffer) => void): Buffer => {
    const b = Buffer.from(two);
    write(b.subarray(at));
    return b;
  };

  it('returns the end of each message and checks the index block', () => {
    expect(Array.from(validateMessages(two))).toEqual([end1, end2]);
    expect(Array.from(validateMessages(two, { count: 2, index: index(end1, end2) }))).toEqual([end1, end2]);
  });

  it('rejects every inconsistency with the server’s error code', () => {
    const cases: [string, () => unknown, number][] = [
      [
        'count too high',
        () => validateMessages(two, { count: 3 }),
        IggyErrorCode.InvalidMessagePayloadLength,
      ],
      ['count too low', () => validateMessages(two, { count: 1 }), IggyErrorCode.InvalidMessagesSize],
      [
        'trailing bytes',
        () => validateMessages(Buffer.concat([two, hex('00')])),
        IggyErrorCode.InvalidMessagePayloadLength,
      ],
      [
        'cut short',
        () => validateMessages(two.subarray(0, end2 - 1)),
        IggyErrorCode.InvalidMessagePayloadLength,
      ],
      [
        'reserved',
        () => validateMessages(patched(MessageLayout.reserved + 7, (b) => (b[0] = 1))),
        IggyErrorCode.InvalidReservedField,
      ],
      [
        'empty payload',
        () =>
          validateMessages(
            encodePolledMessages([
              {
                checksum: 0n,
                id: 0n,
                offset: 0n,
                timestamp: 0n,
                originTimestamp: 0n,
                headers: [],
                payload: Buffer.alloc(0),
              },
            ]),
          ),
        IggyErrorCode.InvalidMessagePayloadLength,
      ],
      [
        'payload over 64 MB',
        () => validateMessages(patched(MessageLayout.payloadLength, (b) => b.writeUInt32LE(64_000_001))),
        IggyErrorCode.TooBigMessagePayload,
      ],
      [
        'lying payload length',
        () => validateMessages(patched(MessageLayout.payloadLength, (b) => b.writeUInt32LE(0xffffffff))),
        IggyErrorCode.TooBigMessagePayload,
      ],
      [
        'headers over 100 KB',
        () => validateMessages(patched(MessageLayout.userHeadersLength, (b) => b.writeUInt32LE(100_001))),
        IggyErrorCode.TooBigUserHeaders,
      ],
      [
        'bad user header',
        () => validateMessages(patched(end1 + 64 + 2, (b) => (b[0] = 0x7f))),
        IggyErrorCode.InvalidHeaderKey,
      ],
      [
        'index size',
        () => validateMessages(two, { count: 2, index: index(end1) }),
        IggyErrorCode.InvalidIndexesByteSize,
      ],
      [
        'index position',
        () => validateMessages(two, { count: 2, index: index(end1, end2 - 1) }),
        IggyErrorCode.InvalidMessagesSize,
      ],
      [
        'index offset',
        () => validateMessages(two, { count: 2, index: patched2(index(end1, end2), 16, 1) }),
        IggyErrorCode.NonZeroOffset,
      ],
      [
        'index timestamp',
        () => validateMessages(two, { count: 2, index: patched2(index(end1, end2), 8, 1) }),
        IggyErrorCode.NonZeroTimestamp,
      ],
    ];
    for (const [what, fn, code] of cases) {
      expect([what, errorCodeOf(fn)]).toEqual([what, code]);
    }
  });

  function patched2(b: Buffer, at: number, value: number): Buffer {
    b[at] = value;
    return b;
  }

  it('accepts empty payloads in stored data when asked', () => {
    const empty = encodePolledMessages([
      {
        checksum: 0n,
        id: 0n,
        offset: 0n,
        timestamp: 0n,
        originTimestamp: 0n,
        headers: [],
        payload: Buffer.alloc(0),
      },
    ]);
    expect(Array.from(validateMessages(empty, { allowEmpty: true }))).toEqual([64]);
    expect(decodeMessages(empty)[0]!.payload.length).toBe(0);
  });
});

describe('MessageRun', () => {
  it('encodes, validates, decodes and lists message ends', () => {
    const messages: OutgoingMessage[] = [
      { id: 1n, payload: Buffer.from('a'), originTimestamp: 5n },
      { id: 2n, payload: Buffer.from('bb'), originTimestamp: 5n },
    ];
    const run = MessageRun.encode(messages);
    expect(run.count).toBe(2);
    expect(Array.from(run.ends())).toEqual([65, 131]);
    expect(MessageRun.validate(run.bytes)).toEqual(run);
    expect(run.decode().map((m) => m.payload.toString())).toEqual(['a', 'bb']);
  });
});
