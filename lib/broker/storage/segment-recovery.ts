import { constants } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { MessageLayout } from '../../protocol/messages/message-layout.js';
import { isErrno, writeFully } from './file-io.js';
import { entryEndPosition, entryRelativeOffset, entryTimestamp, INDEX_ENTRY_BYTES } from './index-entries.js';
import { walkLog } from './log-scanner.js';
import type { SegmentMeta } from './segment.js';
import { StorageError } from './storage-error.js';
import { FILE_MODE } from './file-modes.js';

/** A repair recovery made, as reported to the logger. */
export type RecoveryRepair =
  | {
      kind: 'truncated-tail';
      file: string;
      /** Bytes cut from the end of the log. */
      bytesCut: number;
      /** The first offset no longer stored; appends continue from it. */
      firstCutOffset: bigint;
      /** The last offset the index had listed beyond the cut (null when it listed none). */
      lastIndexedCutOffset: bigint | null;
      reason: string;
    }
  | { kind: 'rebuilt-index'; file: string; entries: number; reason: string }
  | { kind: 'removed-orphan-index'; file: string };

export interface SegmentCheck {
  logPath: string;
  indexPath: string;
  startOffset: bigint;
  /** The last segment: a torn tail is cut. Any other: damage is refused. */
  isLast: boolean;
  /** Verify every message's checksum, not only those past the index. */
  verifyChecksums: boolean;
  /** The previous segment's last timestamp. */
  minTimestamp: bigint;
}

export interface CheckedSegment extends SegmentMeta {
  /** The verified index (all `count` entries). */
  index: Buffer;
  repairs: RecoveryRepair[];
}

/** How many leading entries of `index` are well formed and point inside a log of `logSize` bytes. */
function trustedPrefix(index: Buffer, logSize: number, minTimestamp: bigint): number {
  const entries = Math.floor(index.length / INDEX_ENTRY_BYTES);
  let previousEnd = 0;
  let previousTimestamp = minTimestamp;
  for (let i = 0; i < entries; i++) {
    const end = entryEndPosition(index, i);
    const timestamp = entryTimestamp(index, i);
    const wellFormed =
      entryRelativeOffset(index, i) === i &&
      end - previousEnd >= MessageLayout.headerBytes &&
      end <= logSize &&
      timestamp >= previousTimestamp;
    if (!wellFormed) return i;
    previousEnd = end;
    previousTimestamp = timestamp;
  }
  return entries;
}

async function readIndexFile(path: string): Promise<Buffer | null> {
  try {
    return await readFile(path);
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return null;
    throw error;
  }
}

/**
 * Checks one segment against its index and repairs what a crash can leave behind: a missing, short or
 * wrong index is rebuilt from the log; in the last segment, a torn tail (partial message, garbage, bad
 * checksum) is cut from log and index. In a sealed segment, which was fsynced when sealed, damage to
 * the log is not a crash artifact: it is refused with an error naming the file and offset.
 */
export async function checkSegment(check: SegmentCheck): Promise<CheckedSegment> {
  const { logPath, indexPath, startOffset, isLast } = check;
  const log = await open(logPath, isLast ? constants.O_RDWR : constants.O_RDONLY);
  try {
    const logSize = (await log.stat()).size;
    const index = await readIndexFile(indexPath);
    const listed = index ? Math.floor(index.length / INDEX_ENTRY_BYTES) : 0;
    const trusted = check.verifyChecksums || !index ? 0 : trustedPrefix(index, logSize, check.minTimestamp);
    const from = {
      startOffset,
      count: trusted,
      position: trusted === 0 ? 0 : entryEndPosition(index!, trusted - 1),
      timestamp: trusted === 0 ? check.minTimestamp : entryTimestamp(index!, trusted - 1),
    };
    const walk = await walkLog(log, logSize, from);
    const count = trusted + walk.count;
    const rebuilt = Buffer.concat([
      index ? index.subarray(0, trusted * INDEX_ENTRY_BYTES) : Buffer.alloc(0),
      walk.entries,
    ]);
    const repairs: RecoveryRepair[] = [];

    if (walk.stop || listed > count) {
      const position = walk.stop?.position ?? walk.end;
      const reason = walk.stop?.reason ?? `index lists ${listed} messages, the log holds ${count}`;
      if (!isLast) {
        throw new StorageError(
          'Corrupt',
          `sealed segment ${logPath} is damaged at byte ${position} (offset ${startOffset + BigInt(count)}): ${reason}. ` +
            'Sealed segments are fsynced, so this is not a torn write: restore the file from a backup, or move this ' +
            'segment and every later one out of the partition directory to reopen from the last good offset.',
          { file: logPath, offset: startOffset + BigInt(count), position },
        );
      }
      if (logSize > walk.end) {
        await log.truncate(walk.end);
        await log.datasync();
      }
      repairs.push({
        kind: 'truncated-tail',
        file: logPath,
        bytesCut: logSize - walk.end,
        firstCutOffset: startOffset + BigInt(count),
        lastIndexedCutOffset: listed > count ? startOffset + BigInt(listed) - 1n : null,
        reason,
      });
    }

    if (!index || !index.equals(rebuilt)) {
      await rewriteIndex(indexPath, rebuilt);
      repairs.push({
        kind: 'rebuilt-index',
        file: indexPath,
        entries: count,
        reason: !index
          ? 'index missing'
          : index.length < rebuilt.length
            ? `index short (${index.length} bytes, ${rebuilt.length} needed)`
            : index.length > rebuilt.length
              ? `index long (${index.length} bytes, ${rebuilt.length} valid)`
              : 'index does not match the log',
      });
    }

    return {
      startOffset,
      count,
      sizeBytes: walk.end,
      lastTimestamp: count === 0 ? 0n : walk.lastTimestamp,
      index: rebuilt,
      repairs,
    };
  } finally {
    await log.close();
  }
}

/** The index is derived data: a crash while rewriting it only means the next start rebuilds it again. */
async function rewriteIndex(path: string, entries: Buffer): Promise<void> {
  const file = await open(path, constants.O_RDWR | constants.O_CREAT | constants.O_TRUNC, FILE_MODE);
  try {
    writeFully(file, entries, 0);
    await file.datasync();
  } finally {
    await file.close();
  }
}
