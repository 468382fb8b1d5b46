import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { RequestReader } from '../../../../lib/broker/tcp/request-reader.js';
import { CommandCode } from '../../../../lib/protocol/codes/command-codes.js';
import { IggyErrorCode } from '../../../../lib/protocol/codes/error-codes.js';
import { encodeRequestFrame } from '../../../../lib/protocol/framing.js';

const limits = { maxSendBytes: 1000, maxControlBytes: 100 };

function header(length: number, code: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt32LE(length, 0);
  b.writeUInt32LE(code, 4);
  return b;
}

describe('RequestReader', () => {
  it('yields the same frames however the stream is cut', () => {
    const frame = fc.record({
      code: fc.constantFrom(CommandCode.Ping, CommandCode.SendMessages, 77),
      payload: fc.uint8Array({ maxLength: 100 }).map((a) => Buffer.from(a)),
    });
    fc.assert(
      fc.property(
        fc.array(frame, { maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (frames, cuts) => {
          const stream = Buffer.concat(frames.map((f) => encodeRequestFrame(f.code, f.payload)));
          const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
          const reader = new RequestReader(limits);
          const got = [];
          let from = 0;
          for (const at of [...points, stream.length]) {
            const result = reader.push(stream.subarray(from, at));
            expect(result.error).toBeUndefined();
            got.push(...result.frames);
            from = at;
          }
          expect(got).toEqual(frames);
          expect(reader.buffered).toBe(0);
        },
      ),
    );
  });

  it('limits control commands and SendMessages separately, from the header alone', () => {
    const reader = new RequestReader(limits);
    expect(reader.push(header(4 + 1000, CommandCode.SendMessages)).error).toBeUndefined();
    const control = new RequestReader(limits).push(header(4 + 101, CommandCode.CreateStream));
    expect(control.error).toMatchObject({ kind: 'TooLarge', code: IggyErrorCode.InvalidCommand });
    const send = new RequestReader(limits).push(header(4 + 1001, CommandCode.SendMessages));
    expect(send.error).toMatchObject({ kind: 'TooLarge' });
  });

  it('keeps the good frames before a bad header, then ignores everything', () => {
    const reader = new RequestReader(limits);
    const ping = encodeRequestFrame(CommandCode.Ping);
    const result = reader.push(Buffer.concat([ping, ping, header(3, CommandCode.Ping), ping]));
    expect(result.frames).toHaveLength(2);
    expect(result.error).toMatchObject({ kind: 'LengthMismatch', code: IggyErrorCode.InvalidCommand });
    expect(reader.push(ping)).toEqual({ frames: [] });
  });
});
