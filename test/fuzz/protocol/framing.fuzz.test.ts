import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  RequestFrameDecoder,
  ResponseFrameDecoder,
  encodeRequestFrame,
  encodeResponseFrame,
} from '../../../lib/protocol/framing.js';
import { ProtocolError } from '../../../lib/protocol/protocol-error.js';
import { fuzzRuns, mutated, randomBytes } from '../../support/fuzz.js';

const MAX_PAYLOAD = 4096;

/** Cuts `bytes` at the given points (each taken modulo the length), in order. */
function chunked(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => (bytes.length === 0 ? 0 : c % bytes.length)))].sort(
    (a, b) => a - b,
  );
  const chunks: Buffer[] = [];
  let at = 0;
  for (const p of points) {
    if (p > at) chunks.push(bytes.subarray(at, p));
    at = Math.max(at, p);
  }
  chunks.push(bytes.subarray(at));
  return chunks;
}

/** Feeds the chunks; returns the frames, or the ProtocolError that stopped the stream (anything else fails). */
function feed<F>(
  decoder: { push(chunk: Buffer): F[] },
  chunks: Buffer[],
): { frames: F[]; error?: ProtocolError } {
  const frames: F[] = [];
  for (const chunk of chunks) {
    try {
      frames.push(...decoder.push(chunk));
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
      expect(() => decoder.push(Buffer.alloc(8))).toThrow(ProtocolError); // stays failed
      return { frames, error: err };
    }
  }
  return { frames };
}

const payload = fc.uint8Array({ maxLength: 600 }).map((a) => Buffer.from(a));
const cuts = fc.array(fc.nat(), { maxLength: 12 });

describe('frame decoders, fuzzed', () => {
  it('any chunking of valid request frames gives back exactly those frames', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 0xffffffff }), payload), { maxLength: 6 }),
        cuts,
        (frames, at) => {
          const stream = Buffer.concat(frames.map(([code, p]) => encodeRequestFrame(code, p)));
          const decoder = new RequestFrameDecoder(MAX_PAYLOAD);
          const { frames: got, error } = feed(decoder, chunked(stream, at));
          expect(error).toBeUndefined();
          expect(got.map((f) => [f.code, Buffer.from(f.payload)])).toEqual(frames.map(([c, p]) => [c, p]));
          expect(decoder.buffered).toBe(0);
        },
      ),
      { numRuns: fuzzRuns() },
    );
  });

  it('any chunking of valid response frames gives back exactly those frames', () => {
    fc.assert(
      fc.property(fc.array(payload, { maxLength: 6 }), cuts, (payloads, at) => {
        const stream = Buffer.concat(payloads.map((p) => encodeResponseFrame(0, p)));
        const { frames: got, error } = feed(new ResponseFrameDecoder(MAX_PAYLOAD), chunked(stream, at));
        expect(error).toBeUndefined();
        expect(got.map((f) => Buffer.from(f.payload))).toEqual(payloads);
      }),
      { numRuns: fuzzRuns() },
    );
  });

  it('random and mutated byte streams give frames or a ProtocolError, never anything else, and never a frame over the limit', () => {
    const valid = Buffer.concat([
      encodeRequestFrame(101, Buffer.alloc(40, 1)),
      encodeResponseFrame(0, Buffer.alloc(30, 2)),
    ]);
    fc.assert(
      fc.property(fc.oneof(randomBytes(2048), mutated(valid)), cuts, (bytes, at) => {
        for (const decoder of [new RequestFrameDecoder(MAX_PAYLOAD), new ResponseFrameDecoder(MAX_PAYLOAD)]) {
          const { frames } = feed<{ payload: Buffer }>(decoder, chunked(bytes, at));
          for (const f of frames) expect(f.payload.length).toBeLessThanOrEqual(MAX_PAYLOAD);
          expect(decoder.buffered).toBeLessThanOrEqual(bytes.length);
        }
      }),
      { numRuns: fuzzRuns() },
    );
  });

  it('rejects a header announcing more than the limit before its payload arrives', () => {
    const header = Buffer.alloc(8);
    header.writeUInt32LE(0, 0);
    header.writeUInt32LE(MAX_PAYLOAD + 1, 4);
    expect(() => new ResponseFrameDecoder(MAX_PAYLOAD).push(header)).toThrow(ProtocolError);
    header.writeUInt32LE(MAX_PAYLOAD + 5, 0);
    expect(() => new RequestFrameDecoder(MAX_PAYLOAD).push(header)).toThrow(ProtocolError);
  });
});
