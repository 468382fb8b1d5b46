import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { FrameSplitter, type FrameSplitterOptions } from '../../../lib/protocol/framing-splitter.js';
import { ProtocolError } from '../../../lib/protocol/protocol-error.js';

interface Frame {
  first: number;
  second: number;
  payload: Buffer;
}

/** Frames as `u32 first` · `u32 second (payload length)` · payload, as responses are laid out. */
function encode(frames: Frame[]): Buffer {
  return Buffer.concat(
    frames.flatMap((f) => {
      const head = Buffer.alloc(8);
      head.writeUInt32LE(f.first, 0);
      head.writeUInt32LE(f.payload.length, 4);
      return [head, f.payload];
    }),
  );
}

function splitter(max = Infinity, options: FrameSplitterOptions = {}): FrameSplitter {
  return new FrameSplitter((_first, length) => {
    if (length > max) throw new ProtocolError('TooLarge', `payload of ${length} bytes`);
    return length;
  }, options);
}

function feed(s: FrameSplitter, stream: Buffer, cuts: number[]): Frame[] {
  const got: Frame[] = [];
  let from = 0;
  for (const at of [...cuts, stream.length]) {
    s.push(stream.subarray(from, at), (first, second, payload) =>
      got.push({ first, second, payload: Buffer.from(payload) }),
    );
    from = at;
  }
  return got;
}

describe('FrameSplitter', () => {
  it('yields the same frames however the stream is cut', () => {
    const frame = fc.record({
      first: fc.nat(),
      payload: fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
    });
    fc.assert(
      fc.property(
        fc.array(frame, { maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        (frames, cuts) => {
          const stream = encode(frames.map((f) => ({ ...f, second: f.payload.length })));
          const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
          const s = splitter();
          const got = feed(s, stream, points);
          expect(got).toEqual(
            frames.map((f) => ({ first: f.first, second: f.payload.length, payload: f.payload })),
          );
          expect(s.buffered).toBe(0);
        },
      ),
    );
  });

  it('hands out a frame inside one chunk as a view, and assembles a spread one in one allocated buffer', () => {
    const allocated: number[] = [];
    const s = splitter(Infinity, {
      allocate: (length) => {
        allocated.push(length);
        return Buffer.alloc(length);
      },
    });
    const stream = encode([
      { first: 1, second: 3, payload: Buffer.from('abc') },
      { first: 2, second: 10, payload: Buffer.from('0123456789') },
    ]);
    const payloads: Buffer[] = [];
    s.push(stream.subarray(0, 15), (_a, _b, payload) => payloads.push(payload));
    expect(payloads).toHaveLength(1);
    expect(payloads[0]!.buffer).toBe(stream.buffer);
    expect(s.buffered).toBe(4); // half a header
    s.push(stream.subarray(15, 22), (_a, _b, payload) => payloads.push(payload));
    expect(s.buffered).toBe(11); // the header and 3 payload bytes
    s.push(stream.subarray(22), (_a, _b, payload) => payloads.push(payload));
    expect(payloads.map(String)).toEqual(['abc', '0123456789']);
    expect(allocated).toEqual([10]);
    expect(payloads[1]!.buffer).not.toBe(stream.buffer);
  });

  it('allocates a payload above 4 MiB only once half of it has arrived', () => {
    const length = 5 * 1024 * 1024;
    const payload = Buffer.alloc(length);
    for (let i = 0; i < length; i += 4096) payload[i] = (i >> 12) & 0xff;
    const stream = encode([{ first: 7, second: length, payload }]);
    let allocatedAt = -1;
    let received = 0;
    const s = splitter(Infinity, {
      allocate: (n) => {
        allocatedAt = received;
        return Buffer.allocUnsafe(n);
      },
    });
    const got: Buffer[] = [];
    for (let at = 0; at < stream.length; at += 64 * 1024) {
      const chunk = stream.subarray(at, at + 64 * 1024);
      received += chunk.length;
      s.push(chunk, (_a, _b, p) => got.push(p));
    }
    expect(allocatedAt).toBeGreaterThanOrEqual(length / 2);
    expect(allocatedAt).toBeLessThan(length / 2 + 64 * 1024 + 8);
    expect(got).toHaveLength(1);
    expect(got[0]!.equals(payload)).toBe(true);
  });

  it('checks the header before allocating, after handing over the frames before it', () => {
    let allocations = 0;
    const s = splitter(100, {
      allocate: (n) => {
        allocations++;
        return Buffer.alloc(n);
      },
    });
    const stream = encode([
      { first: 1, second: 2, payload: Buffer.from('ok') },
      { first: 2, second: 101, payload: Buffer.alloc(101) },
    ]);
    const got: string[] = [];
    // The bad header arrives split in two, so it is read from the splitter's own header buffer.
    s.push(stream.subarray(0, 13), (_a, _b, p) => got.push(String(p)));
    expect(() => s.push(stream.subarray(13, 30), (_a, _b, p) => got.push(String(p)))).toThrow(ProtocolError);
    expect(got).toEqual(['ok']);
    expect(allocations).toBe(0);
  });

  it('copies every payload out of chunks that the caller reuses', () => {
    const frames = [
      { first: 1, second: 3, payload: Buffer.from('abc') },
      { first: 2, second: 0, payload: Buffer.alloc(0) },
      { first: 3, second: 40, payload: Buffer.alloc(40, 7) },
    ];
    const stream = encode(frames);
    const s = splitter(Infinity, { reusedChunks: true });
    const reused = Buffer.alloc(16);
    const got: Buffer[] = [];
    for (let at = 0; at < stream.length; at += reused.length) {
      const n = stream.copy(reused, 0, at, at + reused.length);
      s.push(reused.subarray(0, n), (_a, _b, p) => got.push(p));
      reused.fill(0xee);
    }
    expect(got.map((p) => p.toString('hex'))).toEqual(frames.map((f) => f.payload.toString('hex')));
    for (const p of got) expect(p.buffer).not.toBe(reused.buffer);
  });
});
