import { afterEach, describe, expect, it } from '@jest/globals';
import { messageIdToUuid } from '../../../../lib/protocol/messages/message-id.js';
import { firstBadChecksum } from '../../../../lib/protocol/messages/message-stamp.js';
import { createMemoryPartitionStore } from '../../../../lib/broker/storage/memory-partition-store.js';
import { openFilePartitionStore } from '../../../../lib/broker/storage/file-partition-store.js';
import type { PartitionStore } from '../../../../lib/broker/storage/partition-store.js';
import {
  MemorySegmentStorage,
  memorySegmentProvider,
} from '../../../../lib/broker/storage/memory-segment-storage.js';
import { Segment } from '../../../../lib/broker/storage/segment.js';
import { SegmentLog, type SegmentLogOptions } from '../../../../lib/broker/storage/segment-log.js';
import type { SegmentStorageProvider } from '../../../../lib/broker/storage/segment-storage.js';
import { StorageError } from '../../../../lib/broker/storage/storage-error.js';
import { batch, decoded, payloads, TempDirs, TestClock } from './storage-test-kit.js';

const dirs = new TempDirs();
const opened: PartitionStore[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((store) => store.close().catch(() => undefined)));
  await dirs.cleanup();
});

// 10 messages of 100-byte payloads are 1640 bytes: a 2000-byte segment holds two such batches.
const SEGMENT = 2000;

const kinds: [string, (options: SegmentLogOptions) => Promise<PartitionStore>][] = [
  [
    'file',
    async (options) => openFilePartitionStore(await dirs.make(), { fsync: { kind: 'never' }, ...options }),
  ],
  ['memory', (options) => createMemoryPartitionStore(options)],
];

describe.each(kinds)('%s partition store', (_kind, open) => {
  async function store(options: SegmentLogOptions = {}): Promise<PartitionStore> {
    const s = await open({ segmentSizeBytes: SEGMENT, ...options });
    opened.push(s);
    return s;
  }

  it('starts empty', async () => {
    const s = await store();
    expect(s.stats()).toEqual({
      currentOffset: null,
      messagesCount: 0n,
      sizeBytes: 0n,
      segmentsCount: 1,
      firstOffset: null,
    });
    expect((await s.readFromOffset(0n, 10)).count).toBe(0);
  });

  it('stamps dense offsets, one timestamp per batch and valid checksums', async () => {
    const clock = new TestClock(5_000n);
    const s = await store({ clock: clock.read });
    const first = await s.append(batch(3, 'a'), 3);
    clock.now = 7_000n;
    const second = await s.append(batch(2, 'b'), 2);
    expect(first).toEqual({ firstOffset: 0n, lastOffset: 2n, timestamp: 5_000n });
    expect(second).toEqual({ firstOffset: 3n, lastOffset: 4n, timestamp: 7_000n });
    const all = await s.readFromOffset(0n, 100);
    expect(all).toMatchObject({ count: 5, firstOffset: 0n, lastOffset: 4n });
    const messages = decoded(all);
    expect(messages.map((m) => m.offset)).toEqual([0n, 1n, 2n, 3n, 4n]);
    expect(messages.map((m) => m.timestamp)).toEqual([5_000n, 5_000n, 5_000n, 7_000n, 7_000n]);
    expect(firstBadChecksum(all.messages)).toBe(-1);
    expect(messages.every((m) => m.id !== 0n)).toBe(true);
    expect(new Set(messages.map((m) => m.id)).size).toBe(5);
    expect(messages.map((m) => messageIdToUuid(m.id))).toEqual(
      messages.map(() =>
        expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      ),
    );
    expect(payloads(all)).toEqual(['a-0', 'a-1', 'a-2', 'b-0', 'b-1']);
  });

  it('keeps an id the producer set', async () => {
    const s = await store();
    const bytes = batch(1);
    bytes.writeBigUInt64LE(42n, 8);
    await s.append(bytes, 1);
    expect(decoded(await s.readFromOffset(0n, 1))[0]!.id).toBe(42n);
  });

  it('never lets timestamps go back when the clock does', async () => {
    const clock = new TestClock(9_000n);
    const s = await store({ clock: clock.read });
    await s.append(batch(1), 1);
    clock.now = 1_000n;
    expect((await s.append(batch(1), 1)).timestamp).toBe(9_000n);
  });

  it('rolls segments by size and reads across them', async () => {
    const s = await store();
    for (let b = 0; b < 7; b++) await s.append(batch(10, `b${b}`), 10);
    const stats = s.stats();
    expect(stats.currentOffset).toBe(69n);
    expect(stats.messagesCount).toBe(70n);
    expect(stats.segmentsCount).toBe(4); // 2 batches per segment; the last holds one
    const all = await s.readFromOffset(0n, 1000);
    expect(all.count).toBe(70);
    expect(decoded(all).map((m) => m.offset)).toEqual(Array.from({ length: 70 }, (_, i) => BigInt(i)));
    const middle = await s.readFromOffset(15n, 30);
    expect(middle).toMatchObject({ count: 30, firstOffset: 15n, lastOffset: 44n });
    expect(payloads(middle)[0]).toBe('b1-5');
    expect(payloads(middle)[29]).toBe('b4-4');
    expect((await s.readFromOffset(69n, 5)).count).toBe(1);
    expect((await s.readFromOffset(70n, 5)).count).toBe(0);
  });

  it('reads by timestamp: the first message at or after it', async () => {
    const clock = new TestClock(100n);
    const s = await store({ clock: clock.read });
    for (let b = 0; b < 6; b++) {
      clock.now = 100n * BigInt(b + 1);
      await s.append(batch(10, `b${b}`), 10);
    }
    expect((await s.readFromTimestamp(0n, 5)).firstOffset).toBe(0n);
    expect((await s.readFromTimestamp(300n, 5)).firstOffset).toBe(20n);
    expect((await s.readFromTimestamp(301n, 5)).firstOffset).toBe(30n);
    expect((await s.readFromTimestamp(600n, 100)).count).toBe(10);
    expect((await s.readFromTimestamp(601n, 5)).count).toBe(0);
  });

  it('deletes expired sealed segments, never the active one', async () => {
    const clock = new TestClock(1_000n);
    const s = await store({ clock: clock.read });
    for (let b = 0; b < 6; b++) {
      clock.now = 1_000n * BigInt(b + 1);
      await s.append(batch(10), 10);
    }
    // Segments: [0..19] ends at t=2000, [20..39] at 4000, [40..59] at 6000 (sealed: full), then an empty active one.
    expect(s.stats().segmentsCount).toBe(4);
    expect(await s.removeExpired(4_999n, 1_000n)).toBe(20n);
    expect(await s.removeExpired(5_000n, 1_000n)).toBe(20n);
    expect(await s.removeExpired(10n ** 12n, 1n)).toBe(20n);
    expect(s.stats()).toMatchObject({
      segmentsCount: 1,
      messagesCount: 0n,
      currentOffset: 59n,
      firstOffset: null,
    });
    expect((await s.readFromOffset(0n, 10)).count).toBe(0);
    expect((await s.append(batch(1), 1)).firstOffset).toBe(60n);
  });

  it('removes the oldest segments by size and by count, with a barrier', async () => {
    const s = await store();
    for (let b = 0; b < 7; b++) await s.append(batch(10), 10);
    const size = s.stats().sizeBytes;
    const removed = await s.removeOldestSegment();
    expect(removed).toBe(3280n);
    expect(s.stats().sizeBytes).toBe(size - removed);
    expect(s.stats().firstOffset).toBe(20n);
    await s.removeSegments(5, 39n); // the barrier keeps the segment holding 40..59
    expect(s.stats().firstOffset).toBe(40n);
    await s.removeSegments(5);
    expect(s.stats()).toMatchObject({ segmentsCount: 1, firstOffset: 60n });
    expect(await s.removeOldestSegment()).toBe(0n);
    expect((await s.readFromOffset(0n, 100)).firstOffset).toBe(60n);
  });

  it('finishes a read that started before retention removed its segment', async () => {
    const s = await store({ cachedIndexes: 0 });
    for (let b = 0; b < 5; b++) await s.append(batch(10, `b${b}`), 10);
    const reading = s.readFromOffset(0n, 50);
    const removing = s.removeSegments(2);
    const [read] = await Promise.all([reading, removing]);
    expect(read.count).toBe(50);
    expect(payloads(read)[0]).toBe('b0-0');
    expect(s.stats().firstOffset).toBe(40n);
  });

  it('purges to offset 0, like the real server', async () => {
    const s = await store();
    for (let b = 0; b < 3; b++) await s.append(batch(10), 10);
    const before = (await s.readFromOffset(0n, 1)).messages.readBigUInt64LE(32);
    await s.purge();
    expect(s.stats()).toEqual({
      currentOffset: null,
      messagesCount: 0n,
      sizeBytes: 0n,
      segmentsCount: 1,
      firstOffset: null,
    });
    const after = await s.append(batch(2), 2);
    expect(after.firstOffset).toBe(0n);
    expect(after.timestamp).toBeGreaterThanOrEqual(before);
    expect(payloads(await s.readFromOffset(0n, 10))).toEqual(['m-0', 'm-1']);
  });

  it('serializes concurrent appends in arrival order', async () => {
    const s = await store();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => s.append(batch(3, `c${i}`), 3)));
    expect(results.map((r) => r.firstOffset)).toEqual(Array.from({ length: 20 }, (_, i) => BigInt(3 * i)));
    expect(payloads(await s.readFromOffset(57n, 3))).toEqual(['c19-0', 'c19-1', 'c19-2']);
  });

  it('rejects a batch whose lengths do not add up, and leaves the log as it was', async () => {
    const s = await store();
    await expect(s.append(batch(2), 3)).rejects.toThrow(StorageError);
    await expect(s.append(Buffer.concat([batch(2), Buffer.alloc(5)]), 2)).rejects.toMatchObject({
      kind: 'InvalidBatch',
    });
    expect((await s.append(batch(1), 1)).firstOffset).toBe(0n);
  });

  it('refuses work once closed', async () => {
    const s = await store();
    await s.close();
    await expect(s.append(batch(1), 1)).rejects.toMatchObject({ kind: 'Closed' });
    await expect(s.readFromOffset(0n, 1)).rejects.toMatchObject({ kind: 'Closed' });
  });
});

describe('appends stamped ahead of their write', () => {
  /** In-memory segments whose `failures` next log writes fail, each after `gate` opens. */
  class FlakyStorage extends MemorySegmentStorage {
    static failures = 0;
    static gate: Promise<void> = Promise.resolve();
    static writes = 0;
    override async write(
      log: readonly Buffer[],
      logPosition: number,
      index: Buffer,
      indexPosition: number,
    ): Promise<void> {
      FlakyStorage.writes++;
      await FlakyStorage.gate;
      if (FlakyStorage.failures > 0) {
        FlakyStorage.failures--;
        throw new Error('disk full');
      }
      await super.write(log, logPosition, index, indexPosition);
    }
  }
  const flaky: SegmentStorageProvider = { ...memorySegmentProvider, create: async () => new FlakyStorage() };

  function flakyLog(): SegmentLog {
    FlakyStorage.gate = Promise.resolve();
    FlakyStorage.writes = 0;
    const log = new SegmentLog(flaky, [new Segment(0n, new FlakyStorage())], { segmentSizeBytes: 1 << 20 });
    opened.push(log);
    return log;
  }

  it('writes appends that arrive together in one write, each acknowledged with its own offsets', async () => {
    const s = flakyLog();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => s.append(batch(2, `g${i}`), 2)));
    expect(FlakyStorage.writes).toBe(1);
    expect(results.map((r) => [r.firstOffset, r.lastOffset])).toEqual(
      Array.from({ length: 20 }, (_, i) => [BigInt(2 * i), BigInt(2 * i + 1)]),
    );
    expect(payloads(await s.readFromOffset(38n, 2))).toEqual(['g19-0', 'g19-1']);
  });

  it('groups the appends that arrive while a write is under way into the next write', async () => {
    const s = flakyLog();
    let open!: () => void;
    FlakyStorage.gate = new Promise((resolve) => (open = resolve));
    const first = s.append(batch(1, 'a'), 1);
    await new Promise(setImmediate); // the first write has started and waits
    const later = Array.from({ length: 10 }, (_, i) => s.append(batch(1, `b${i}`), 1));
    open();
    await Promise.all([first, ...later]);
    expect(FlakyStorage.writes).toBe(2);
    expect((await s.readFromOffset(0n, 20)).count).toBe(11);
  });

  it('fails together the appends that shared a failed write, and re-stamps those queued behind it', async () => {
    const s = flakyLog();
    await s.append(batch(2, 'a'), 2);
    let open!: () => void;
    FlakyStorage.gate = new Promise((resolve) => (open = resolve));
    FlakyStorage.failures = 1;
    const shared = [s.append(batch(3, 'b'), 3), s.append(batch(1, 'b'), 1)];
    await new Promise(setImmediate);
    const queued = [s.append(batch(2, 'c'), 2), s.append(batch(1, 'd'), 1)];
    open();
    const [failed, alsoFailed, next, last] = await Promise.allSettled([...shared, ...queued]);
    expect(failed).toMatchObject({ status: 'rejected', reason: new Error('disk full') });
    expect(alsoFailed).toMatchObject({ status: 'rejected', reason: new Error('disk full') });
    expect(next).toMatchObject({ status: 'fulfilled', value: { firstOffset: 2n, lastOffset: 3n } });
    expect(last).toMatchObject({ status: 'fulfilled', value: { firstOffset: 4n, lastOffset: 4n } });
    const read = await s.readFromOffset(0n, 10);
    expect(payloads(read)).toEqual(['a-0', 'a-1', 'c-0', 'c-1', 'd-0']);
    expect(decoded(read).map((m) => m.offset)).toEqual([0n, 1n, 2n, 3n, 4n]);
    expect(firstBadChecksum(read.messages)).toBe(-1);
    expect((await s.append(batch(1, 'e'), 1)).firstOffset).toBe(5n);
  });

  it('re-stamps an append queued behind a purge from offset 0', async () => {
    const s = flakyLog();
    await s.append(batch(3), 3);
    const purged = s.purge();
    const after = await s.append(batch(2, 'p'), 2);
    await purged;
    expect(after.firstOffset).toBe(0n);
    const read = await s.readFromOffset(0n, 10);
    expect(decoded(read).map((m) => m.offset)).toEqual([0n, 1n]);
    expect(firstBadChecksum(read.messages)).toBe(-1);
  });
});
