import { describe, expect, it } from '@jest/globals';
import { randomFillSync } from 'node:crypto';
import { xxh3 } from '@node-rs/xxhash';
import { messageChecksum, stampChecksums } from '../../../../lib/protocol/messages/checksum.js';

/** The reference: XXH3-64 (seed 0) of the bytes after the 8-byte checksum field. */
const reference = (message: Buffer): bigint => xxh3.xxh64(message.subarray(8));

describe('messageChecksum (XXH3-64 in WebAssembly)', () => {
  const bytes = randomFillSync(Buffer.alloc(2_200_000));

  it('matches the reference for every length up to 3,000 bytes, at any alignment', () => {
    for (let length = 8; length <= 3_008; length++) {
      const message = bytes.subarray(length % 7, (length % 7) + length);
      expect(messageChecksum(message)).toBe(reference(message));
    }
  });

  it('matches the reference for long inputs (many 1 KiB blocks, and more than the hashing window)', () => {
    for (const length of [4_096, 65_543, 1_048_583, 2_200_000]) {
      const message = bytes.subarray(0, length);
      expect(messageChecksum(message)).toBe(reference(message));
    }
  });
});

describe('stampChecksums', () => {
  it('writes each message checksum into its first 8 bytes, in chunks of any size', () => {
    const sizes = [64, 65, 100, 250, 1_100, 1_300_000, 64, 2_000, 1_100_000, 77];
    const run = randomFillSync(Buffer.alloc(sizes.reduce((a, b) => a + b, 0)));
    const ends = new Uint32Array(sizes.length);
    sizes.reduce((end, size, i) => (ends[i] = end + size), 0);
    const untouched = Buffer.from(run);
    stampChecksums(run, ends);
    let start = 0;
    for (const end of ends) {
      const message = run.subarray(start, end);
      expect(message.readBigUInt64LE(0)).toBe(reference(message));
      expect(message.subarray(8)).toEqual(untouched.subarray(start + 8, end));
      start = end;
    }
  });
});
