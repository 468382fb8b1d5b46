import { IndexEntryLayout } from '../../protocol/messages/message-layout.js';

/** Bytes of one `.index` entry: u32 relative offset, u32 end position (exclusive), u64 timestamp µs. */
export const INDEX_ENTRY_BYTES = IndexEntryLayout.bytes;

export function entryRelativeOffset(index: Buffer, i: number): number {
  return index.readUInt32LE(i * INDEX_ENTRY_BYTES + IndexEntryLayout.offset);
}

/** Where message i ends in the segment's `.log` (exclusive). */
export function entryEndPosition(index: Buffer, i: number): number {
  return index.readUInt32LE(i * INDEX_ENTRY_BYTES + IndexEntryLayout.position);
}

/** Where message i starts in the segment's `.log`: the previous entry's end, or 0. */
export function entryStartPosition(index: Buffer, i: number): number {
  return i === 0 ? 0 : entryEndPosition(index, i - 1);
}

export function entryTimestamp(index: Buffer, i: number): bigint {
  return index.readBigUInt64LE(i * INDEX_ENTRY_BYTES + IndexEntryLayout.timestamp);
}

/** Writes entry i of `index`. */
export function writeEntry(
  index: Buffer,
  i: number,
  relativeOffset: number,
  end: number,
  timestamp: bigint,
): void {
  const at = i * INDEX_ENTRY_BYTES;
  index.writeUInt32LE(relativeOffset, at + IndexEntryLayout.offset);
  index.writeUInt32LE(end, at + IndexEntryLayout.position);
  index.writeBigUInt64LE(timestamp, at + IndexEntryLayout.timestamp);
}

/** Binary search over the first `count` entries: the first whose relative offset is ≥ `relativeOffset`, else `count`. */
export function lowerBoundRelativeOffset(index: Buffer, count: number, relativeOffset: number): number {
  let lo = 0;
  let hi = count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (entryRelativeOffset(index, mid) < relativeOffset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Binary search over the first `count` entries: the first whose timestamp is ≥ `timestamp`, else `count`. */
export function lowerBoundTimestamp(index: Buffer, count: number, timestamp: bigint): number {
  let lo = 0;
  let hi = count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (entryTimestamp(index, mid) < timestamp) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A growable in-memory copy of a segment's `.index` (the active segment keeps one). */
export class IndexBuffer {
  private bytes: Buffer;
  private used: number;

  constructor(initial?: Buffer) {
    this.used = initial?.length ?? 0;
    this.bytes = Buffer.allocUnsafe(Math.max(this.used, 4096));
    initial?.copy(this.bytes);
  }

  get count(): number {
    return this.used / INDEX_ENTRY_BYTES;
  }

  /** The entries written so far. A view: later appends never change the bytes it shows. */
  view(): Buffer {
    return this.bytes.subarray(0, this.used);
  }

  /**
   * Room for `count` more entries, to fill in place (no separate buffer, no copy); they count once
   * `commit`ted. Until then the index is as before.
   */
  reserve(count: number): Buffer {
    const needed = this.used + count * INDEX_ENTRY_BYTES;
    if (needed > this.bytes.length) {
      const grown = Buffer.allocUnsafe(Math.max(needed, this.bytes.length * 2));
      this.bytes.copy(grown, 0, 0, this.used);
      this.bytes = grown;
    }
    return this.bytes.subarray(this.used, needed);
  }

  /** Adds the `count` entries filled in after `reserve`. */
  commit(count: number): void {
    this.used += count * INDEX_ENTRY_BYTES;
  }
}
