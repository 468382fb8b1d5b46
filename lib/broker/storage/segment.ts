import { IndexBuffer } from './index-entries.js';
import type { SegmentStorage } from './segment-storage.js';

/** What is known about a segment without reading it. */
export interface SegmentMeta {
  startOffset: bigint;
  /** Messages stored. */
  count: number;
  /** Bytes of its `.log`. */
  sizeBytes: number;
  /** Timestamp of its last message (µs), 0 when empty. */
  lastTimestamp: bigint;
}

/**
 * One segment of a partition: its metadata, its storage and, while it is the active (last) segment,
 * its index in memory. Offsets inside it are dense: message i has offset `startOffset + i`.
 */
export class Segment implements SegmentMeta {
  count: number;
  sizeBytes: number;
  lastTimestamp: bigint;
  /** The in-memory index; null once sealed (the index is then read from storage when needed). */
  activeIndex: IndexBuffer | null;
  /**
   * Bytes of the log from its start whose checksums are known good: everything for a segment written by
   * this process or checked by recovery; a prefix that grows as reads check it for a sealed segment found
   * on disk (`verifyChecksumsOnRead`).
   */
  verifiedUpTo = Number.POSITIVE_INFINITY;

  constructor(
    readonly startOffset: bigint,
    readonly storage: SegmentStorage,
    meta: Omit<SegmentMeta, 'startOffset'> = { count: 0, sizeBytes: 0, lastTimestamp: 0n },
    activeIndex: IndexBuffer | null = new IndexBuffer(),
  ) {
    this.count = meta.count;
    this.sizeBytes = meta.sizeBytes;
    this.lastTimestamp = meta.lastTimestamp;
    this.activeIndex = activeIndex;
  }

  get sealed(): boolean {
    return this.activeIndex === null;
  }

  /** Offset of the last message; only meaningful when `count > 0`. */
  get lastOffset(): bigint {
    return this.startOffset + BigInt(this.count) - 1n;
  }

  /** Index bytes of the first `count` entries the active segment holds in memory. */
  seal(): Buffer | null {
    const index = this.activeIndex?.view() ?? null;
    this.activeIndex = null;
    return index;
  }
}
