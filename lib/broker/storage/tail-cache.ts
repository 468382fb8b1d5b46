import type { Segment } from './segment.js';

/** How much of the recently appended bytes stay in memory for polls of the tail. */
export interface TailCacheLimits {
  /** Per partition (0 turns the cache off). */
  partitionBytes: number;
  /** For all partitions together; the oldest bytes of any partition go first. */
  totalBytes: number;
}

/** 2 MiB per partition, 16 MiB in total: a reader right behind the producer needs far less. */
export const DEFAULT_TAIL_CACHE_LIMITS: TailCacheLimits = {
  partitionBytes: 2 * 1024 * 1024,
  totalBytes: 16 * 1024 * 1024,
};

/**
 * Memory is taken in chunks of this size, or of a quarter of the partition's share when that is smaller
 * (so a partition at its limit still holds at least three quarters of it).
 */
const CHUNK_BYTES = 256 * 1024;

/** Bytes `position..position + used` of a segment's log. Never changes once written. */
interface Chunk {
  owner: PartitionTail;
  segment: Segment;
  position: number;
  bytes: Buffer;
  used: number;
}

/**
 * The memory budget shared by the partitions of one broker: every chunk any of them holds, oldest first,
 * so that a partition short of memory takes it from the oldest bytes anywhere (their owner forgets them).
 */
export class TailCache {
  private readonly chunks = new Set<Chunk>();
  private held = 0;
  private readonly chunkBytes: number;

  constructor(readonly limits: TailCacheLimits = DEFAULT_TAIL_CACHE_LIMITS) {
    this.chunkBytes = Math.min(CHUNK_BYTES, Math.ceil(limits.partitionBytes / 4), limits.totalBytes);
  }

  /** Bytes held by every partition together (always ≤ `limits.totalBytes`). */
  get heldBytes(): number {
    return this.held;
  }

  /** A partition's share of the cache. */
  partition(): PartitionTail {
    return new PartitionTail(this, this.chunkBytes > 0 ? this.limits.partitionBytes : 0, this.chunkBytes);
  }

  /**
   * A new chunk for `owner`, evicting the oldest chunks of any partition to make room. Its memory is
   * `spare` (a chunk the owner just let go) or an evicted chunk's when there is one, so a partition at
   * its limit reuses its memory instead of allocating (and faulting in) fresh pages for every chunk.
   */
  allocate(owner: PartitionTail, segment: Segment, position: number, spare: Buffer | null): Chunk {
    let bytes = spare;
    while (this.held + this.chunkBytes > this.limits.totalBytes) {
      const oldest = this.chunks.values().next().value as Chunk;
      oldest.owner.forget(oldest);
      bytes = oldest.bytes; // reused at once: reads copy out of chunks, so nothing else holds it
    }
    const chunk: Chunk = {
      owner,
      segment,
      position,
      bytes: bytes ?? Buffer.allocUnsafe(this.chunkBytes),
      used: 0,
    };
    this.chunks.add(chunk);
    this.held += this.chunkBytes;
    return chunk;
  }

  release(chunk: Chunk): void {
    if (this.chunks.delete(chunk)) this.held -= chunk.bytes.length;
  }
}

/**
 * The last bytes appended to one partition, as a run of chunks per segment (the segment just sealed
 * keeps its own until they are the oldest), so a consumer following the producer polls from memory
 * instead of re-reading what was just written. Only bytes already written to the segment are added, so
 * a chunk never holds anything but stored messages; a batch larger than the partition's share is not
 * kept (the segment's chunks go, as they no longer end at its tail).
 */
export class PartitionTail {
  /** Oldest first; per segment, contiguous. */
  private readonly chunks: Chunk[] = [];

  constructor(
    private readonly cache: TailCache,
    private readonly maxBytes: number,
    private readonly chunkBytes: number,
  ) {}

  /** Bytes held by this partition. */
  get heldBytes(): number {
    return this.chunks.length * this.chunkBytes;
  }

  /** Keeps `bytes`, just written at `position` of `segment`'s log. */
  append(segment: Segment, position: number, bytes: Buffer): void {
    if (this.maxBytes === 0) return;
    const last = this.chunks[this.chunks.length - 1];
    const continues = last?.segment === segment && last.position + last.used === position;
    if (!continues || bytes.length > this.maxBytes) this.dropSegment(segment);
    if (bytes.length > this.maxBytes) return;
    let done = 0;
    let chunk = continues ? last : undefined;
    while (done < bytes.length) {
      if (!chunk || chunk.used === chunk.bytes.length) {
        let spare: Buffer | null = null;
        while (this.heldBytes + this.chunkBytes > this.maxBytes) spare = this.forget(this.chunks[0]!);
        chunk = this.cache.allocate(this, segment, position + done, spare);
        this.chunks.push(chunk);
      }
      const copied = bytes.copy(chunk.bytes, chunk.used, done);
      chunk.used += copied;
      done += copied;
    }
  }

  /**
   * Copies log bytes `position..position + length` of `segment` into `target` at `targetOffset` when
   * they are all held; false (nothing copied) when they are not.
   */
  read(segment: Segment, target: Buffer, targetOffset: number, position: number, length: number): boolean {
    const end = position + length;
    let i = this.chunks.length - 1;
    while (i >= 0 && this.chunks[i]!.segment !== segment) i--;
    const last = this.chunks[i];
    if (!last || last.position + last.used < end) return false;
    while (i > 0 && this.chunks[i]!.position > position && this.chunks[i - 1]!.segment === segment) i--;
    if (this.chunks[i]!.position > position) return false;
    for (let at = position; at < end; i++) {
      const chunk = this.chunks[i]!;
      const to = Math.min(chunk.used, end - chunk.position);
      at += chunk.bytes.copy(target, targetOffset + (at - position), at - chunk.position, to);
    }
    return true;
  }

  /** Forgets what is held of `segment` (removed by retention, or no longer contiguous). */
  dropSegment(segment: Segment): void {
    for (const chunk of this.chunks.filter((c) => c.segment === segment)) this.forget(chunk);
  }

  clear(): void {
    for (const chunk of [...this.chunks]) this.forget(chunk);
  }

  /** Lets `chunk` go (also called by the cache when it takes the chunk for another partition); returns its memory. */
  forget(chunk: Chunk): Buffer {
    const at = this.chunks.indexOf(chunk);
    if (at >= 0) this.chunks.splice(at, 1);
    this.cache.release(chunk);
    return chunk.bytes;
  }
}
