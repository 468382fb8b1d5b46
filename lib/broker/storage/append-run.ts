import { stampBatch, writeIndexEntries } from './batch-stamper.js';
import type { GroupMember } from './group-commit-queue.js';
import { INDEX_ENTRY_BYTES } from './index-entries.js';
import type { AppendResult } from './partition-store.js';

/** Index entries hold u32 end positions, so no segment may grow past this. */
export const MAX_SEGMENT_POSITION = 0xffffffff;

/** An append stamped on arrival, waiting for the write that stores it. */
export interface PendingAppend extends GroupMember {
  batch: Buffer;
  ends: Uint32Array;
  stampedOffset: bigint;
  timestamp: bigint;
  resolve(result: AppendResult): void;
}

/** Where a segment stands before a run is written into it. */
export interface RunStart {
  /** Offset of the run's first message. */
  offset: bigint;
  /** Messages already in the segment. */
  count: number;
  /** Bytes already in the segment's log. */
  position: number;
}

/** A run ready to write: its index entries filled in, each append's result. */
export interface PreparedRun {
  messages: number;
  /** The segment's log size once the run is written. */
  end: number;
  results: AppendResult[];
}

/**
 * The appends of `group` from `from` on that go into a segment of `size` bytes before it must roll: the
 * first always (the caller rolled first if needed), then each that starts below `segmentSize` and ends
 * within the u32 position limit.
 */
export function runFitting(
  group: readonly PendingAppend[],
  from: number,
  size: number,
  segmentSize: number,
): PendingAppend[] {
  let end = from + 1;
  let position = size + group[from]!.batch.length;
  while (end < group.length) {
    const next = group[end]!.batch.length;
    if (position >= segmentSize || position + next > MAX_SEGMENT_POSITION) break;
    position += next;
    end++;
  }
  return group.slice(from, end);
}

/**
 * Fills `entries` (room for every message of `run`) with the run's index entries and re-stamps any batch
 * whose offsets moved since it was stamped on arrival (an earlier append failed, or a purge restarted the
 * offsets).
 */
export function prepareRun(run: readonly PendingAppend[], start: RunStart, entries: Buffer): PreparedRun {
  const results: AppendResult[] = [];
  let { offset, count, position } = start;
  for (const pending of run) {
    const n = pending.ends.length;
    if (pending.stampedOffset !== offset) stampBatch(pending.batch, pending.ends, offset, pending.timestamp);
    const at = (count - start.count) * INDEX_ENTRY_BYTES;
    writeIndexEntries(entries.subarray(at), pending.ends, count, position, pending.timestamp);
    results.push({ firstOffset: offset, lastOffset: offset + BigInt(n - 1), timestamp: pending.timestamp });
    offset += BigInt(n);
    count += n;
    position += pending.batch.length;
  }
  return { messages: count - start.count, end: position, results };
}
