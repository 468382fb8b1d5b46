import { afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import fc from 'fast-check';
import type { FileHandle } from 'node:fs/promises';
import { openFilePartitionStore } from '../../../../lib/broker/storage/file-partition-store.js';
import { createMemoryPartitionStore } from '../../../../lib/broker/storage/memory-partition-store.js';
import type { PartitionStore, ReadResult } from '../../../../lib/broker/storage/partition-store.js';
import { firstBadChecksum } from '../../../../lib/protocol/messages/message-stamp.js';
import { TailCache, type TailCacheLimits } from '../../../../lib/broker/storage/tail-cache.js';
import { batch, decoded, fileHandlePrototype, payloads, TempDirs } from './storage-test-kit.js';

const dirs = new TempDirs();
const opened: PartitionStore[] = [];
let fileHandle: FileHandle;

beforeAll(async () => {
  fileHandle = await fileHandlePrototype(dirs);
});

afterEach(async () => {
  jest.restoreAllMocks();
  await Promise.all(opened.splice(0).map((store) => store.close().catch(() => undefined)));
  await dirs.cleanup();
});

// 10 messages of 100-byte payloads are 1640 bytes.
const BATCH_BYTES = 1640;

async function fileStore(cache: TailCache, segmentSizeBytes = 1 << 20): Promise<PartitionStore> {
  const store = await openFilePartitionStore(await dirs.make(), {
    fsync: { kind: 'never' },
    segmentSizeBytes,
    tailCache: cache,
  });
  opened.push(store);
  return store;
}

function cache(limits: TailCacheLimits): TailCache {
  return new TailCache(limits);
}

describe('tail cache', () => {
  it('serves polls of the last appended messages from memory, older ones from the file', async () => {
    const store = await fileStore(cache({ partitionBytes: 4 * BATCH_BYTES, totalBytes: 1 << 20 }));
    for (let b = 0; b < 10; b++) await store.append(batch(10, `b${b}`), 10);
    const reads = jest.spyOn(fileHandle, 'read');
    expect(payloads(await store.readFromOffset(95n, 5))).toEqual(['b9-5', 'b9-6', 'b9-7', 'b9-8', 'b9-9']);
    expect(payloads(await store.readFromOffset(70n, 30))).toHaveLength(30);
    expect(reads).not.toHaveBeenCalled();
    expect(payloads(await store.readFromOffset(0n, 2))).toEqual(['b0-0', 'b0-1']);
    expect(reads).toHaveBeenCalled();
  });

  it('keeps the tail of a segment just sealed', async () => {
    // Two batches per segment: offsets 0..19 in the first, 20.. in the second.
    const store = await fileStore(cache({ partitionBytes: 1 << 20, totalBytes: 1 << 20 }), 2000);
    for (let b = 0; b < 3; b++) await store.append(batch(10, `b${b}`), 10);
    expect(store.stats().segmentsCount).toBe(2);
    const reads = jest.spyOn(fileHandle, 'read');
    expect(payloads(await store.readFromOffset(15n, 10))).toEqual([
      ...['b1-5', 'b1-6', 'b1-7', 'b1-8', 'b1-9'],
      ...['b2-0', 'b2-1', 'b2-2', 'b2-3', 'b2-4'],
    ]);
    expect(reads).not.toHaveBeenCalled();
  });

  it('holds at most its limit per partition and in total, the oldest bytes going first', async () => {
    const shared = cache({ partitionBytes: 3 * 1024, totalBytes: 5 * 1024 });
    const stores = await Promise.all([fileStore(shared), fileStore(shared), fileStore(shared)]);
    for (let round = 0; round < 6; round++) {
      for (const [i, store] of stores.entries()) {
        await store.append(batch(10, `p${i}r${round}`), 10);
        expect(shared.heldBytes).toBeLessThanOrEqual(5 * 1024);
      }
    }
    const reads = jest.spyOn(fileHandle, 'read');
    // The last partition written holds its last batch; every read is right wherever it came from.
    expect(payloads(await stores[2]!.readFromOffset(50n, 10))).toEqual(
      Array.from({ length: 10 }, (_, i) => `p2r5-${i}`),
    );
    expect(reads).not.toHaveBeenCalled();
    for (const [i, store] of stores.entries()) {
      expect(payloads(await store.readFromOffset(0n, 60))).toEqual(
        Array.from({ length: 60 }, (_, k) => `p${i}r${Math.floor(k / 10)}-${k % 10}`),
      );
    }
  });

  it('does not keep a batch larger than the partition share, and still reads it', async () => {
    const shared = cache({ partitionBytes: 1024, totalBytes: 1024 });
    const store = await fileStore(shared);
    await store.append(batch(10, 'big'), 10);
    expect(shared.heldBytes).toBe(0);
    expect(payloads(await store.readFromOffset(0n, 10))).toHaveLength(10);
  });

  it('forgets what retention removed and what a purge removed', async () => {
    const shared = cache({ partitionBytes: 1 << 20, totalBytes: 1 << 20 });
    const store = await fileStore(shared, 2000);
    for (let b = 0; b < 5; b++) await store.append(batch(10, `b${b}`), 10);
    const held = shared.heldBytes;
    await store.removeSegments(2);
    expect(shared.heldBytes).toBeLessThan(held);
    expect(payloads(await store.readFromOffset(0n, 1))).toEqual(['b4-0']);
    await store.purge();
    expect(shared.heldBytes).toBe(0);
    await store.append(batch(1, 'after'), 1);
    expect(payloads(await store.readFromOffset(0n, 5))).toEqual(['after-0']);
  });

  it('reads exactly what a store without a cache reads, whatever the sizes and limits', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({ count: fc.integer({ min: 1, max: 12 }), payload: fc.integer({ min: 1, max: 300 }) }),
          {
            minLength: 1,
            maxLength: 25,
          },
        ),
        fc.integer({ min: 0, max: 8000 }),
        fc.integer({ min: 0, max: 12000 }),
        fc.integer({ min: 500, max: 6000 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 40 })), { minLength: 1, maxLength: 10 }),
        async (batches, partitionBytes, totalBytes, segmentSizeBytes, reads) => {
          const clock = (): bigint => 1_000n;
          const cached = await createMemoryPartitionStore({
            segmentSizeBytes,
            clock,
            tailCache: cache({ partitionBytes, totalBytes }),
          });
          const plain = await createMemoryPartitionStore({ segmentSizeBytes, clock });
          let total = 0;
          for (const [i, b] of batches.entries()) {
            await cached.append(batch(b.count, `x${i}`, b.payload), b.count);
            await plain.append(batch(b.count, `x${i}`, b.payload), b.count);
            total += b.count;
          }
          for (const [at, count] of reads) {
            const offset = BigInt(at % total);
            const [ours, theirs] = await Promise.all([
              cached.readFromOffset(offset, count),
              plain.readFromOffset(offset, count),
            ]);
            // Ids are random (assigned on append): compare everything else.
            const shown = (r: ReadResult): unknown[] =>
              decoded(r).map((m) => [m.offset, m.timestamp, m.payload]);
            expect(shown(ours)).toEqual(shown(theirs));
            expect(firstBadChecksum(ours.messages)).toBe(-1);
          }
          await Promise.all([cached.close(), plain.close()]);
        },
      ),
      { numRuns: 25 },
    );
  });
});
