import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { partitionForKey } from '../../../../lib/protocol/messages/partition-key.js';
import { messagesKeyBytes } from '../../../../lib/protocol/primitives/partitioning.js';
import { ProtocolError } from '../../../../lib/protocol/protocol-error.js';

/** XXH32 written out from its specification, seed 0: an independent reference for the native one. */
function xxh32(input: Uint8Array): number {
  const P1 = 0x9e3779b1;
  const P2 = 0x85ebca77;
  const P3 = 0xc2b2ae3d;
  const P4 = 0x27d4eb2f;
  const P5 = 0x165667b1;
  const rotl = (x: number, r: number): number => ((x << r) | (x >>> (32 - r))) >>> 0;
  const u32 = (i: number): number =>
    (input[i]! | (input[i + 1]! << 8) | (input[i + 2]! << 16) | (input[i + 3]! << 24)) >>> 0;
  const round = (acc: number, lane: number): number =>
    Math.imul(rotl((acc + Math.imul(lane, P2)) >>> 0, 13), P1) >>> 0;
  let i = 0;
  let h: number;
  if (input.length >= 16) {
    let v1 = (P1 + P2) >>> 0;
    let v2 = P2;
    let v3 = 0;
    let v4 = (0 - P1) >>> 0;
    for (; i + 16 <= input.length; i += 16) {
      v1 = round(v1, u32(i));
      v2 = round(v2, u32(i + 4));
      v3 = round(v3, u32(i + 8));
      v4 = round(v4, u32(i + 12));
    }
    h = (rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18)) >>> 0;
  } else {
    h = P5;
  }
  h = (h + input.length) >>> 0;
  for (; i + 4 <= input.length; i += 4) h = Math.imul(rotl((h + Math.imul(u32(i), P3)) >>> 0, 17), P4) >>> 0;
  for (; i < input.length; i++) h = Math.imul(rotl((h + Math.imul(input[i]!, P5)) >>> 0, 11), P1) >>> 0;
  h = Math.imul(h ^ (h >>> 15), P2) >>> 0;
  h = Math.imul(h ^ (h >>> 13), P3) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

describe('partitionForKey (the server: XxHash32 seed 0 of the key bytes, mod partitions count)', () => {
  it('matches published XXH32 values', () => {
    expect(xxh32(Buffer.from(''))).toBe(0x02cc5d05);
    expect(xxh32(Buffer.from('a'))).toBe(0x550d7456);
    expect(xxh32(Buffer.from('abc'))).toBe(0x32d153ff);
    expect(partitionForKey(Buffer.from('abc'), 1000)).toBe(0x32d153ff % 1000); // 327
    expect(partitionForKey(Buffer.from('a'), 3)).toBe(0x550d7456 % 3);
  });

  it('spot values for keys this project uses', () => {
    const tenant = Buffer.from('tenant-123');
    expect(partitionForKey(tenant, 1)).toBe(0);
    for (const n of [2, 3, 4, 7, 16]) expect(partitionForKey(tenant, n)).toBe(xxh32(tenant) % n);
    const numeric = messagesKeyBytes(123); // u32 LE, as the SDKs send a numeric key
    expect(partitionForKey(numeric, 10)).toBe(xxh32(numeric) % 10);
  });

  it('agrees with the reference for any key and count', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 255 }),
        fc.integer({ min: 1, max: 1000 }),
        (key, n) => {
          expect(partitionForKey(key, n)).toBe(xxh32(key) % n);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('rejects a non-positive partitions count', () => {
    expect(() => partitionForKey(Buffer.from('a'), 0)).toThrow(ProtocolError);
  });
});
