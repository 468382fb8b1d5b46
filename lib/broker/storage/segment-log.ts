import { MAX_SEGMENT_POSITION, prepareRun, runFitting, type PendingAppend } from './append-run.js';
import { monotonicMicros, nextBatchTimestamp, stampBatch } from './batch-stamper.js';
import { IndexCache } from './index-cache.js';
import { INDEX_ENTRY_BYTES } from './index-entries.js';
import { EMPTY_READ, offsetForTimestamp, readMessages } from './log-reader.js';
import { GroupCommitQueue } from './group-commit-queue.js';
import { batchBoundaries } from './message-walk.js';
import type {
  AppendResult,
  FsyncMode,
  PartitionStats,
  PartitionStore,
  ReadResult,
} from './partition-store.js';
import { PeriodicSync } from './periodic-sync.js';
import { Segment } from './segment.js';
import type { SegmentStorageProvider } from './segment-storage.js';
import { StorageError } from './storage-error.js';
import { silentStorageLogger, type StorageLogger } from './storage-logger.js';
import type { PartitionTail, TailCache } from './tail-cache.js';

/** 1 GiB, the real server's default segment size. */
export const DEFAULT_SEGMENT_SIZE_BYTES = 1024 ** 3;
/** Appends waiting together are written in one write of up to this many bytes (a larger batch alone). */
const MAX_GROUP_BYTES = 4 * 1024 * 1024;

/** Options shared by the persistent and the in-memory partition store. */
export interface SegmentLogOptions {
  /** A segment at or past this size is sealed and a new one opened (soft limit, like the real server's). */
  segmentSizeBytes?: number;
  /** Default: an fsync every second. */
  fsync?: FsyncMode;
  /** µs since the epoch; tests inject one. */
  clock?: () => bigint;
  logger?: StorageLogger;
  /** How many sealed segments' indexes stay in memory for reads (default 4). */
  cachedIndexes?: number;
  /**
   * Check every message's checksum on each read (a corrupt one fails the read with `Corrupt`). Default
   * false here (reads check only that the bytes split into the messages the index lists); file stores
   * turn it on. Costs about as much as the append's checksum, per read.
   */
  verifyChecksumsOnRead?: boolean;
  /** Where the last appended bytes stay in memory for polls of the tail (none: every read goes to storage). */
  tailCache?: TailCache;
}

/**
 * A partition's segmented log, the one implementation behind both stores: the storage provider decides
 * whether segments are files or memory. Appends, rollover, retention and purge run one at a time in
 * arrival order; reads run beside them and see every acknowledged append. Appends that arrive while a
 * write is under way are written together by the next one (one write of the log, one of the index, and
 * with fsync `always` one fsync), each acknowledged once the write (and fsync) holding it is done.
 * With a `tailCache`, the bytes of the last appends stay in memory and polls of them do not read storage.
 */
export class SegmentLog implements PartitionStore {
  private readonly segmentSize: number;
  private readonly fsync: FsyncMode;
  private readonly clock: () => bigint;
  private readonly logger: StorageLogger;
  private readonly indexes: IndexCache;
  private readonly verifyOnRead: boolean;
  private nextOffset: bigint;
  /** Messages of appends stamped and not yet stored (nor failed): the next append is stamped after them. */
  private pendingMessages = 0;
  /** The timestamp of the last batch stamped (timestamps never decrease). */
  private lastTimestamp: bigint;
  private totalMessages = 0;
  private totalBytes = 0;
  private readonly queue: GroupCommitQueue<PendingAppend>;
  private readonly tail: PartitionTail | null;
  private closing = false;
  private closed: Promise<void> | null = null;
  /** With fsync `interval`, the timer that fsyncs the active segment. */
  private readonly periodic: PeriodicSync | null = null;

  /** `segments` come from recovery (or one new segment), oldest first; the last one is active. */
  constructor(
    private readonly provider: SegmentStorageProvider,
    private readonly segments: Segment[],
    options: SegmentLogOptions = {},
  ) {
    this.segmentSize = options.segmentSizeBytes ?? DEFAULT_SEGMENT_SIZE_BYTES;
    if (
      !Number.isInteger(this.segmentSize) ||
      this.segmentSize <= 0 ||
      this.segmentSize > MAX_SEGMENT_POSITION
    ) {
      throw new RangeError(
        `segmentSizeBytes must be an integer in 1..${MAX_SEGMENT_POSITION}, got ${this.segmentSize}`,
      );
    }
    this.fsync = options.fsync ?? { kind: 'interval', ms: 1000 };
    this.clock = options.clock ?? monotonicMicros;
    this.logger = options.logger ?? silentStorageLogger;
    this.indexes = new IndexCache(options.cachedIndexes ?? 4);
    this.verifyOnRead = options.verifyChecksumsOnRead ?? false;
    this.tail = options.tailCache?.partition() ?? null;
    this.queue = new GroupCommitQueue<PendingAppend>(
      (group) => this.writeGroup(group),
      (pending) => pending.batch.length,
      MAX_GROUP_BYTES,
    );
    const last = segments[segments.length - 1];
    if (!last || last.sealed) throw new Error('a segment log needs an active segment');
    this.nextOffset = last.startOffset + BigInt(last.count);
    this.lastTimestamp = 0n;
    for (const segment of segments) {
      this.totalMessages += segment.count;
      this.totalBytes += segment.sizeBytes;
      if (segment.lastTimestamp > this.lastTimestamp) this.lastTimestamp = segment.lastTimestamp;
    }
    if (this.fsync.kind === 'interval') {
      this.periodic = new PeriodicSync(this.fsync.ms, () => this.syncActive(), this.logger);
    }
  }

  /**
   * Stamps and stores the batch; `messages` is modified in place and must not be reused until the append
   * settles (it is written from, and copied into the tail cache, after the call returns). It is
   * stamped at once, in arrival order, so that this CPU work overlaps the writes of earlier appends.
   */
  async append(messages: Buffer, count: number, ends?: Uint32Array): Promise<AppendResult> {
    this.ensureOpen();
    const boundaries = ends?.length === count ? ends : batchBoundaries(messages, count);
    if (messages.length > MAX_SEGMENT_POSITION) {
      throw new StorageError('TooLarge', `a ${messages.length}-byte batch does not fit in one segment`);
    }
    const firstOffset = this.nextOffset + BigInt(this.pendingMessages);
    const timestamp = nextBatchTimestamp(this.clock(), this.lastTimestamp);
    stampBatch(messages, boundaries, firstOffset, timestamp);
    this.lastTimestamp = timestamp;
    this.pendingMessages += count;
    return new Promise((resolve, reject) => {
      this.queue.join({
        batch: messages,
        ends: boundaries,
        stampedOffset: firstOffset,
        timestamp,
        resolve,
        reject,
      });
    });
  }

  async readFromOffset(offset: bigint, count: number): Promise<ReadResult> {
    this.ensureOpen();
    if (offset >= this.nextOffset) return EMPTY_READ;
    return readMessages(this.segments, offset, count, this.indexes, this.verifyOnRead, this.tail);
  }

  async readFromTimestamp(timestamp: bigint, count: number): Promise<ReadResult> {
    this.ensureOpen();
    const offset = await offsetForTimestamp(this.segments, timestamp, this.indexes);
    return offset === null
      ? EMPTY_READ
      : readMessages(this.segments, offset, count, this.indexes, this.verifyOnRead, this.tail);
  }

  stats(): PartitionStats {
    const first = this.segments.find((segment) => segment.count > 0);
    return {
      currentOffset: this.nextOffset > 0n ? this.nextOffset - 1n : null,
      messagesCount: BigInt(this.totalMessages),
      sizeBytes: BigInt(this.totalBytes),
      segmentsCount: this.segments.length,
      firstOffset: first ? first.startOffset : null,
    };
  }

  async flush(fsync: boolean): Promise<void> {
    this.ensureOpen();
    return this.serialize(async () => {
      if (!fsync) return; // every acknowledged append is already written to the file
      this.periodic?.synced();
      await this.segments[this.segments.length - 1]?.storage.sync();
    });
  }

  async removeExpired(nowMicros: bigint, expiryMicros: bigint, upToOffset?: bigint): Promise<bigint> {
    this.ensureOpen();
    return this.serialize(async () => {
      let removed = 0n;
      while (this.segments.length > 1) {
        const oldest = this.segments[0]!;
        if (
          oldest.count > 0 &&
          (oldest.lastTimestamp + expiryMicros > nowMicros || beyond(oldest, upToOffset))
        )
          break;
        removed += BigInt(oldest.count);
        await this.removeOldest();
      }
      return removed;
    });
  }

  async removeOldestSegment(): Promise<bigint> {
    this.ensureOpen();
    return this.serialize(async () => (this.segments.length > 1 ? BigInt(await this.removeOldest()) : 0n));
  }

  async removeSegments(count: number, upToOffset?: bigint): Promise<void> {
    this.ensureOpen();
    return this.serialize(async () => {
      for (let i = 0; i < count && this.segments.length > 1; i++) {
        if (beyond(this.segments[0]!, upToOffset)) break;
        await this.removeOldest();
      }
    });
  }

  async purge(): Promise<void> {
    this.ensureOpen();
    return this.serialize(async () => {
      const old = this.segments.splice(0);
      this.totalMessages = 0;
      this.totalBytes = 0;
      this.indexes.clear();
      this.tail?.clear();
      this.periodic?.synced();
      this.nextOffset = 0n; // the real server restarts the partition at offset 0
      for (const segment of old) await segment.storage.remove(); // oldest first: a crash leaves a suffix
      await this.ensureActive();
    });
  }

  close(): Promise<void> {
    if (this.closed) return this.closed;
    this.closing = true;
    const stopped = this.periodic?.stop();
    this.closed = this.serialize(async () => {
      await stopped;
      const active = this.segments[this.segments.length - 1];
      if (active && this.fsync.kind !== 'never') await active.storage.sync();
      await Promise.all(this.segments.map((segment) => segment.storage.close()));
      this.indexes.clear();
      this.tail?.clear();
    });
    return this.closed;
  }

  async destroy(): Promise<void> {
    await this.close();
    await this.provider.destroy();
  }

  /** Stores a group of appends, in runs that each fit the active segment (rolling between them). */
  private async writeGroup(group: PendingAppend[]): Promise<void> {
    let from = 0;
    while (from < group.length) {
      let active: Segment;
      try {
        active = await this.ensureActive();
        const first = group[from]!.batch.length;
        if (active.sizeBytes >= this.segmentSize || active.sizeBytes + first > MAX_SEGMENT_POSITION) {
          active = await this.roll(active);
        }
      } catch (error) {
        this.fail(group.slice(from, from + 1), error); // the next append tries the rollover again
        from++;
        continue;
      }
      const run = runFitting(group, from, active.sizeBytes, this.segmentSize);
      await this.writeRun(active, run);
      from += run.length;
    }
  }

  /** One write of the log and one of the index for `run` (and an fsync with `always`), then the acks. */
  private async writeRun(active: Segment, run: PendingAppend[]): Promise<void> {
    const logPosition = active.sizeBytes;
    const indexPosition = active.count * INDEX_ENTRY_BYTES;
    const messages = run.reduce((sum, pending) => sum + pending.ends.length, 0);
    const entries = active.activeIndex!.reserve(messages);
    const start = { offset: this.nextOffset, count: active.count, position: logPosition };
    const { end, results } = prepareRun(run, start, entries);
    try {
      const log = run.map((pending) => pending.batch);
      await active.storage.write(log, logPosition, entries, indexPosition);
      if (this.fsync.kind === 'always') await active.storage.syncLog();
    } catch (error) {
      // Not acknowledged: cut whatever part reached the files so the next append lands at the same place.
      await active.storage.truncate(logPosition, indexPosition).catch(() => undefined);
      this.fail(run, error);
      return;
    }
    this.pendingMessages -= messages;
    active.activeIndex!.commit(messages);
    active.count += messages;
    active.sizeBytes = end;
    active.lastTimestamp = run[run.length - 1]!.timestamp;
    this.totalMessages += messages;
    this.totalBytes += end - logPosition;
    this.nextOffset += BigInt(messages);
    this.periodic?.written();
    if (this.tail) {
      let at = logPosition;
      for (const pending of run) {
        this.tail.append(active, at, pending.batch);
        at += pending.batch.length;
      }
    }
    if (active.sizeBytes >= this.segmentSize) {
      // The batches are stored; a failed rollover is retried by the next append.
      await this.roll(active).catch((error: unknown) =>
        this.logger.warn('segment rollover failed; retrying on the next append', { error: String(error) }),
      );
    }
    for (const [i, pending] of run.entries()) pending.resolve(results[i]!);
  }

  /** Rejects appends not stored; the appends after them take their offsets (re-stamped when written). */
  private fail(appends: PendingAppend[], error: unknown): void {
    for (const pending of appends) {
      this.pendingMessages -= pending.ends.length;
      pending.reject(error);
    }
  }

  /** Seals `active` (fsync, whatever the mode: only the last segment can then hold a torn write) and opens the next. */
  private async roll(active: Segment): Promise<Segment> {
    await active.storage.sync();
    const storage = await this.provider.create(this.nextOffset);
    await this.provider.syncDirectory();
    const index = active.seal();
    if (index) this.indexes.put(active, index);
    const next = new Segment(this.nextOffset, storage);
    this.segments.push(next);
    return next;
  }

  /** The active segment; after a purge whose re-creation failed, creates it. */
  private async ensureActive(): Promise<Segment> {
    const active = this.segments[this.segments.length - 1];
    if (active) return active;
    const storage = await this.provider.create(this.nextOffset);
    await this.provider.syncDirectory();
    const segment = new Segment(this.nextOffset, storage);
    this.segments.push(segment);
    return segment;
  }

  private async removeOldest(): Promise<number> {
    const oldest = this.segments.shift()!;
    this.totalMessages -= oldest.count;
    this.totalBytes -= oldest.sizeBytes;
    this.indexes.forget(oldest);
    this.tail?.dropSegment(oldest);
    await oldest.storage.remove();
    return oldest.sizeBytes;
  }

  private async syncActive(): Promise<void> {
    const active = this.segments[this.segments.length - 1];
    if (active && !this.closing) await active.storage.sync();
  }

  private serialize<T>(operation: () => Promise<T>): Promise<T> {
    return this.queue.run(operation);
  }

  private ensureOpen(): void {
    if (this.closing) throw new StorageError('Closed', 'the partition store is closed');
  }
}

/** Whether a segment still holds messages past the consumers' barrier (DeleteSegments keeps those). */
function beyond(segment: Segment, upToOffset: bigint | undefined): boolean {
  return upToOffset !== undefined && segment.count > 0 && segment.lastOffset > upToOffset;
}
