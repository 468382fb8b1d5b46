import { entryEndPosition, entryRelativeOffset, INDEX_ENTRY_BYTES } from './index-entries.js';
import type { Segment } from './segment.js';
import { StorageError } from './storage-error.js';

/**
 * The indexes of recently read sealed segments (the active segment keeps its own in memory).
 * Least recently used first out; concurrent loads of one index share a read.
 */
export class IndexCache {
  private readonly loaded = new Map<Segment, Promise<Buffer>>();

  constructor(private readonly capacity: number) {}

  /** The first `segment.count` entries of a segment's index. */
  get(segment: Segment): Promise<Buffer> {
    const active = segment.activeIndex;
    if (active) return Promise.resolve(active.view());
    let index = this.loaded.get(segment);
    if (index) {
      this.loaded.delete(segment);
    } else {
      index = segment.storage.readIndex().then((bytes) => checkedIndex(segment, bytes));
      index.catch(() => this.loaded.get(segment) === index && this.loaded.delete(segment));
    }
    this.remember(segment, index);
    return index;
  }

  /** Keeps the index of a segment just sealed, so the next read need not load it. */
  put(segment: Segment, index: Buffer): void {
    this.loaded.delete(segment);
    this.remember(segment, Promise.resolve(index));
  }

  forget(segment: Segment): void {
    this.loaded.delete(segment);
  }

  clear(): void {
    this.loaded.clear();
  }

  private remember(segment: Segment, index: Promise<Buffer>): void {
    if (this.capacity <= 0) return;
    this.loaded.set(segment, index);
    while (this.loaded.size > this.capacity) {
      const oldest = this.loaded.keys().next().value as Segment;
      this.loaded.delete(oldest);
    }
  }
}

/** The index as recovery left it must end exactly where the segment's metadata says. */
function checkedIndex(segment: Segment, bytes: Buffer): Buffer {
  const count = segment.count;
  const complete =
    bytes.length >= count * INDEX_ENTRY_BYTES &&
    (count === 0 ||
      (entryRelativeOffset(bytes, count - 1) === count - 1 &&
        entryEndPosition(bytes, count - 1) === segment.sizeBytes));
  if (!complete) {
    throw new StorageError(
      'Corrupt',
      `index of the segment at offset ${segment.startOffset} no longer matches its ${count} messages / ${segment.sizeBytes} bytes`,
      { offset: segment.startOffset },
    );
  }
  return bytes.subarray(0, count * INDEX_ENTRY_BYTES);
}
