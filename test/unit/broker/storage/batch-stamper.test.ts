import { describe, expect, it } from '@jest/globals';
import { xxh3 } from '@node-rs/xxhash';
import { stampBatch, writeIndexEntries } from '../../../../lib/broker/storage/batch-stamper.js';
import { firstChecksumMismatch } from '../../../../lib/protocol/messages/checksum.js';
import { encodeMessages } from '../../../../lib/protocol/messages/message-batch.js';
import { decodeMessages } from '../../../../lib/protocol/messages/message-decode.js';
import { messageIdToUuid } from '../../../../lib/protocol/messages/message-id.js';
import { Header } from '../../../../lib/protocol/primitives/user-headers.js';
import { walked } from './storage-test-kit.js';

const NOW = 1_700_000_000_000_000n;
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function twoMessages(): [Buffer, Uint32Array] {
  return walked(
    encodeMessages(
      [
        { payload: Buffer.from('a') },
        {
          id: 9n,
          payload: Buffer.from('bb'),
          headers: [{ key: Header.string('k'), value: Header.int64(-1n) }],
        },
      ],
      NOW,
    ),
  );
}

describe('stampBatch', () => {
  it('writes offsets, the batch timestamp, a UUID v4 for id 0 and checksums in place', () => {
    const [run, ends] = twoMessages();
    const length = run.length;
    stampBatch(run, ends, 100n, 1_234n);
    const [a, b] = decodeMessages(run, 2);
    expect([a!.offset, a!.timestamp, b!.offset, b!.timestamp]).toEqual([100n, 1_234n, 101n, 1_234n]);
    expect(messageIdToUuid(a!.id)).toMatch(UUID_V4);
    expect(b!.id).toBe(9n);
    // The checksum is XXH3-64 (seed 0) of everything after the checksum field.
    expect(a!.checksum).toBe(xxh3.xxh64(run.subarray(8, ends[0])));
    expect(b!.checksum).toBe(xxh3.xxh64(run.subarray(ends[0]! + 8)));
    expect(firstChecksumMismatch(run, ends)).toBe(-1);
    expect(run.length).toBe(length);
  });

  it('stamps offsets past 2^53 exactly', () => {
    const [run, ends] = twoMessages();
    const first = (1n << 64n) - 2n;
    stampBatch(run, ends, first, 1n);
    expect(decodeMessages(run, 2).map((m) => m.offset)).toEqual([first, first + 1n]);
    expect(firstChecksumMismatch(run, ends)).toBe(-1);
  });

  it('re-stamping moves the offsets and keeps the ids it assigned', () => {
    const [run, ends] = twoMessages();
    stampBatch(run, ends, 0n, 5n);
    const id = decodeMessages(run, 2)[0]!.id;
    stampBatch(run, ends, 7n, 5n);
    const [a] = decodeMessages(run, 2);
    expect([a!.offset, a!.id]).toEqual([7n, id]);
    expect(firstChecksumMismatch(run, ends)).toBe(-1);
  });
});

describe('writeIndexEntries', () => {
  it('writes relative offset, end position within the segment and timestamp per message', () => {
    const [, ends] = twoMessages();
    const entries = Buffer.alloc(ends.length * 16);
    writeIndexEntries(entries, ends, 10, 1000, (1n << 40n) + 3n);
    expect([0, 16].map((at) => [entries.readUInt32LE(at), entries.readUInt32LE(at + 4)])).toEqual([
      [10, 1000 + ends[0]!],
      [11, 1000 + ends[1]!],
    ]);
    expect(entries.readBigUInt64LE(24)).toBe((1n << 40n) + 3n);
  });
});
