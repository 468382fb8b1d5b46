import { firstChecksumMismatch } from '../../protocol/messages/checksum.js';
import { walkMessages } from '../../protocol/messages/message-walk.js';
import { entryEndPosition, entryStartPosition, lowerBoundTimestamp } from './index-entries.js';
import type { IndexCache } from './index-cache.js';
import type { ReadResult } from './partition-store.js';
import type { Segment } from './segment.js';
import { StorageError } from './storage-error.js';
import type { PartitionTail } from './tail-cache.js';

/** A run of messages inside one segment, chosen before the first await so appends and retention cannot move it. */
interface Piece {
  segment: Segment;
  /** Index entry of the first message. */
  first: number;
  count: number;
  /** The active segment's index as it was when the read began. */
  index: Buffer | null;
}

export const EMPTY_READ: ReadResult = {
  messages: Buffer.alloc(0),
  count: 0,
  firstOffset: null,
  lastOffset: null,
};

/** Position of the last segment starting at or before `offset` (0 when all start after it). */
function segmentFor(segments: readonly Segment[], offset: bigint): number {
  let lo = 0;
  let hi = segments.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (segments[mid]!.startOffset <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function plan(segments: readonly Segment[], offset: bigint, count: number): Piece[] {
  const pieces: Piece[] = [];
  let next = offset;
  let remaining = count;
  for (let i = segmentFor(segments, offset); i < segments.length && remaining > 0; i++) {
    const segment = segments[i]!;
    if (segment.count === 0 || next > segment.lastOffset) continue;
    const first = next <= segment.startOffset ? 0 : Number(next - segment.startOffset);
    const taken = Math.min(segment.count - first, remaining);
    pieces.push({ segment, first, count: taken, index: segment.activeIndex?.view() ?? null });
    remaining -= taken;
    next = segment.startOffset + BigInt(first + taken);
  }
  return pieces;
}

/**
 * Up to `count` whole messages from `offset` on (or from the first stored one when `offset` is older),
 * across segments, into one buffer: copied from `tail` where it holds the bytes, otherwise read with one
 * positional read per segment.
 */
export async function readMessages(
  segments: readonly Segment[],
  offset: bigint,
  count: number,
  indexes: IndexCache,
  verifyChecksums = false,
  tail: PartitionTail | null = null,
): Promise<ReadResult> {
  if (count <= 0 || segments.length === 0) return EMPTY_READ;
  const pieces = plan(segments, offset, count);
  if (pieces.length === 0) return EMPTY_READ;
  for (const piece of pieces) piece.segment.storage.retain();
  try {
    // The active segment's index is in memory, and the tail cache holds its recent bytes: a poll of the
    // tail waits on nothing (no promise per piece).
    const ranges: ByteRange[] = [];
    for (const piece of pieces)
      ranges.push(rangeOf(piece, piece.index ?? (await indexes.get(piece.segment))));
    let total = 0;
    for (const range of ranges) total += range.length;
    const messages = Buffer.allocUnsafe(total);
    const reads: Promise<void>[] = [];
    let at = 0;
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i]!;
      const range = ranges[i]!;
      if (!tail?.read(piece.segment, messages, at, range.start, range.length)) {
        reads.push(piece.segment.storage.readLog(messages, at, range.start, range.length));
      }
      at += range.length;
    }
    if (reads.length > 0) await Promise.all(reads);
    const read = pieces.reduce((sum, piece) => sum + piece.count, 0);
    const ends = splitMessages(messages, read, pieces[0]!);
    if (verifyChecksums) verifyUnchecked(messages, ends, pieces, ranges);
    const first = pieces[0]!;
    const last = pieces[pieces.length - 1]!;
    return {
      messages,
      count: read,
      firstOffset: first.segment.startOffset + BigInt(first.first),
      lastOffset: last.segment.startOffset + BigInt(last.first + last.count - 1),
    };
  } finally {
    for (const piece of pieces) piece.segment.storage.release();
  }
}

/** Where in its segment's log file a piece's bytes lie, by the segment's index. */
interface ByteRange {
  start: number;
  length: number;
}

function rangeOf(piece: Piece, index: Buffer): ByteRange {
  const start = entryStartPosition(index, piece.first);
  const end = entryEndPosition(index, piece.first + piece.count - 1);
  if (end <= start || end > piece.segment.sizeBytes) {
    throw new StorageError(
      'Corrupt',
      `index of the segment at ${piece.segment.startOffset} is inconsistent`,
      {
        offset: piece.segment.startOffset + BigInt(piece.first),
      },
    );
  }
  return { start, length: end - start };
}

/** Cheap guard: the bytes read must split into exactly the messages the index promised. */
function splitMessages(messages: Buffer, count: number, first: Piece): Uint32Array {
  const firstOffset = first.segment.startOffset + BigInt(first.first);
  return walkMessages(messages, { count, allowEmpty: true }, (fault) => {
    const message = `messages read from offset ${firstOffset} do not match the index: ${fault.detail}`;
    return new StorageError('Corrupt', message, { offset: firstOffset });
  });
}

/**
 * Checks the checksums of the pieces that reach past their segment's `verifiedUpTo` (bytes not written
 * by this process nor checked since it opened the segment), so bit rot is never served and each byte is
 * hashed once; a checked piece that starts inside the verified prefix extends it.
 */
function verifyUnchecked(
  messages: Buffer,
  ends: Uint32Array,
  pieces: readonly Piece[],
  ranges: readonly ByteRange[],
): void {
  let message = 0;
  let at = 0;
  for (const [i, piece] of pieces.entries()) {
    const range = ranges[i]!;
    const segment = piece.segment;
    const rangeEnd = range.start + range.length;
    if (rangeEnd > segment.verifiedUpTo) {
      const own = ends.slice(message, message + piece.count).map((end) => end - at);
      const bad = firstChecksumMismatch(messages.subarray(at, at + range.length), own);
      if (bad >= 0) {
        const offset = segment.startOffset + BigInt(piece.first + bad);
        throw new StorageError('Corrupt', `message at offset ${offset} fails its checksum`, { offset });
      }
      if (range.start <= segment.verifiedUpTo) segment.verifiedUpTo = rangeEnd;
    }
    message += piece.count;
    at += range.length;
  }
}

/** Offset of the first message whose timestamp is ≥ `timestamp`, or null when none is. */
export async function offsetForTimestamp(
  segments: readonly Segment[],
  timestamp: bigint,
  indexes: IndexCache,
): Promise<bigint | null> {
  // Timestamps never decrease, so segments are ordered by their last timestamp too (an empty
  // segment, normally only the active one at the end, counts as newest).
  let lo = 0;
  let hi = segments.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const segment = segments[mid]!;
    if (segment.count > 0 && segment.lastTimestamp < timestamp) lo = mid + 1;
    else hi = mid;
  }
  while (lo < segments.length && (segments[lo]!.count === 0 || segments[lo]!.lastTimestamp < timestamp)) lo++;
  const segment = segments[lo];
  if (!segment) return null;
  const count = segment.count;
  const active = segment.activeIndex?.view() ?? null;
  segment.storage.retain();
  try {
    const index = active ?? (await indexes.get(segment));
    return segment.startOffset + BigInt(lowerBoundTimestamp(index, count, timestamp));
  } finally {
    segment.storage.release();
  }
}
