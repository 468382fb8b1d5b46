import { describe, expect, it } from '@jest/globals';
import { randomFillSync } from 'node:crypto';
import { xxh3 } from '@node-rs/xxhash';
import {
  firstChecksumMismatch,
  messageChecksum,
  stampChecksums,
} from '../../../../lib/protocol/messages/checksum.js';

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

describe('firstChecksumMismatch', () => {
  const sizes = [64, 300, 1_200_000, 90, 1_100_000, 64, 5_000];
  const stamped = (): { run: Buffer; ends: Uint32Array } => {
    const run = randomFillSync(Buffer.alloc(sizes.reduce((a, b) => a + b, 0)));
    const ends = new Uint32Array(sizes.length);
    sizes.reduce((end, size, i) => (ends[i] = end + size), 0);
    stampChecksums(run, ends);
    return { run, ends };
  };

  it('is -1 when every message matches, across chunks', () => {
    const { run, ends } = stamped();
    expect(firstChecksumMismatch(run, ends)).toBe(-1);
  });

  it('names the first damaged message, whether the damage is in the body or the stored checksum', () => {
    for (const [message, offsetInMessage] of [
      [0, 40],
      [2, 1_000_000],
      [3, 3],
      [6, 4_999],
    ] as const) {
      const { run, ends } = stamped();
      const start = message === 0 ? 0 : ends[message - 1]!;
      run[start + offsetInMessage]! ^= 0x10;
      expect(firstChecksumMismatch(run, ends)).toBe(message);
    }
    const { run, ends } = stamped();
    run[ends[4]! + 8]! ^= 1;
    run[ends[0]! + 8]! ^= 1;
    expect(firstChecksumMismatch(run, ends)).toBe(1);
  });
});
