import { describe, expect, it } from '@jest/globals';
import { encodeMessages } from '../../../../lib/protocol/messages/message-batch.js';
import { MessageLayout } from '../../../../lib/protocol/messages/message-layout.js';
import {
  walkMessages,
  type MessageFault,
  type WalkOptions,
} from '../../../../lib/protocol/messages/message-walk.js';

class Faulted extends Error {
  constructor(readonly fault: MessageFault) {
    super(fault.detail);
  }
}

/** The fault a walk stops at (kind, index, position), or the ends it returns. */
function walk(run: Buffer, options: WalkOptions = {}): number[] | Omit<MessageFault, 'detail'> {
  try {
    return Array.from(walkMessages(run, options, (fault) => new Faulted(fault)));
  } catch (err) {
    if (!(err instanceof Faulted)) throw err;
    const { kind, index, position } = err.fault;
    return { kind, index, position };
  }
}

const two = encodeMessages([{ payload: Buffer.from('a') }, { payload: Buffer.from('bb') }], 1n);
const end1 = 65;
const end2 = two.length;

function patched(at: number, write: (b: Buffer) => void): Buffer {
  const b = Buffer.from(two);
  write(b.subarray(at));
  return b;
}

describe('walkMessages', () => {
  it('returns each message end, walking to the end of the run or `count` messages', () => {
    expect(walk(two)).toEqual([end1, end2]);
    expect(walk(two, { count: 2 })).toEqual([end1, end2]);
    expect(walk(Buffer.alloc(0))).toEqual([]);
    expect(walk(Buffer.alloc(0), { count: 0 })).toEqual([]);
  });

  it('names the first fault, the message it is in and where that message starts', () => {
    const cases: [string, Buffer, WalkOptions, Omit<MessageFault, 'detail'>][] = [
      ['count too high', two, { count: 3 }, { kind: 'MissingMessage', index: 2, position: end2 }],
      ['count too low', two, { count: 1 }, { kind: 'TrailingBytes', index: 1, position: end1 }],
      [
        'a partial header',
        two.subarray(0, end1 + 10),
        {},
        { kind: 'TruncatedHeader', index: 1, position: end1 },
      ],
      [
        'a partial message',
        two.subarray(0, end2 - 1),
        {},
        { kind: 'TruncatedMessage', index: 1, position: end1 },
      ],
      [
        'reserved',
        patched(end1 + MessageLayout.reserved + 7, (b) => (b[0] = 1)),
        {},
        { kind: 'NonZeroReserved', index: 1, position: end1 },
      ],
      [
        'payload over 64 MB',
        patched(MessageLayout.payloadLength, (b) => b.writeUInt32LE(64_000_001)),
        {},
        { kind: 'PayloadTooLarge', index: 0, position: 0 },
      ],
      [
        'headers over 100 KB',
        patched(MessageLayout.userHeadersLength, (b) => b.writeUInt32LE(100_001)),
        {},
        { kind: 'UserHeadersTooLarge', index: 0, position: 0 },
      ],
      [
        // Checked before the lengths, as the real server parses the header first.
        'reserved and a lying length',
        patched(0, (b) => {
          b.writeUInt32LE(0xffffffff, MessageLayout.payloadLength);
          b[MessageLayout.reserved] = 1;
        }),
        {},
        { kind: 'NonZeroReserved', index: 0, position: 0 },
      ],
    ];
    for (const [what, run, options, fault] of cases)
      expect([what, walk(run, options)]).toEqual([what, fault]);
  });

  it('accepts empty payloads only when allowed', () => {
    const empty = Buffer.alloc(MessageLayout.headerBytes); // a header of zeros: no payload, no headers
    expect(walk(empty)).toEqual({ kind: 'EmptyPayload', index: 0, position: 0 });
    expect(walk(empty, { allowEmpty: true })).toEqual([64]);
  });

  it('says what is wrong with the numbers that are wrong', () => {
    const run = patched(end1 + MessageLayout.payloadLength, (b) => b.writeUInt32LE(70_000_000));
    expect(() => walkMessages(run, { count: 2 }, (fault) => new Faulted(fault))).toThrow(
      'message 1 of 2 at byte 65: payload of 70000000 B, max 64000000 B',
    );
  });

  it('allocates for what the run can hold, not for the count it claims', () => {
    expect(walk(two, { count: 0xffffffff })).toEqual({ kind: 'MissingMessage', index: 2, position: end2 });
  });
});
