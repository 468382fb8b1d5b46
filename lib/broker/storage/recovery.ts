import { mkdir, readdir, unlink } from 'node:fs/promises';
import { syncDirectory } from './file-io.js';
import { parseSegmentFileName, segmentPaths } from './segment-files.js';
import { checkSegment, type CheckedSegment, type RecoveryRepair } from './segment-recovery.js';
import { StorageError } from './storage-error.js';
import { silentStorageLogger, type StorageLogger } from './storage-logger.js';
import { DIR_MODE } from './file-modes.js';

export interface RecoveryOptions {
  /**
   * Verify the checksum of every message of every segment at open (reads all data). Default false:
   * only the last segment is verified, since only it can hold a torn write (a segment is fsynced when
   * sealed); sealed segments are checked for index/log consistency, which reads only their index.
   */
  verifyAllChecksums?: boolean;
  logger?: StorageLogger;
}

/** What recovery found in a partition directory. */
export interface RecoveryReport {
  /** The segments, oldest first; the last one takes appends. Empty for a new partition. */
  segments: CheckedSegment[];
  repairs: RecoveryRepair[];
}

/**
 * Opens a partition directory the way a crash may have left it: segments sorted by start offset,
 * orphan `.index` files removed, every segment checked (see `checkSegment`), offsets checked to
 * continue from one segment to the next.
 */
export async function recoverPartition(dir: string, options: RecoveryOptions = {}): Promise<RecoveryReport> {
  const logger = options.logger ?? silentStorageLogger;
  await mkdir(dir, { recursive: true, mode: DIR_MODE });
  const logs = new Set<bigint>();
  const indexes = new Set<bigint>();
  for (const name of await readdir(dir)) {
    const parsed = parseSegmentFileName(name);
    if (parsed) (parsed.kind === 'log' ? logs : indexes).add(parsed.startOffset);
  }
  const repairs: RecoveryRepair[] = [];
  const orphans = [...indexes].filter((start) => !logs.has(start));
  for (const start of orphans) {
    const file = segmentPaths(dir, start).index;
    await unlink(file);
    repairs.push({ kind: 'removed-orphan-index', file });
    logger.warn('removed an index without its log', { file });
  }
  if (orphans.length > 0) await syncDirectory(dir);

  const starts = [...logs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const segments: CheckedSegment[] = [];
  let minTimestamp = 0n;
  for (const [i, startOffset] of starts.entries()) {
    const paths = segmentPaths(dir, startOffset);
    const previous = segments[segments.length - 1];
    if (previous) checkContinuity(dir, previous, startOffset, logger);
    const segment = await checkSegment({
      logPath: paths.log,
      indexPath: paths.index,
      startOffset,
      isLast: i === starts.length - 1,
      verifyChecksums: i === starts.length - 1 || options.verifyAllChecksums === true,
      minTimestamp,
    });
    for (const repair of segment.repairs) report(logger, repair);
    repairs.push(...segment.repairs);
    if (segment.count > 0) minTimestamp = segment.lastTimestamp;
    segments.push(segment);
  }
  return { segments, repairs };
}

function checkContinuity(
  dir: string,
  previous: CheckedSegment,
  startOffset: bigint,
  logger: StorageLogger,
): void {
  const expected = previous.startOffset + BigInt(previous.count);
  if (startOffset < expected) {
    throw new StorageError(
      'Corrupt',
      `segment ${segmentPaths(dir, startOffset).log} starts at offset ${startOffset}, inside the previous segment ` +
        `(${previous.startOffset}..${expected - 1n})`,
      { file: segmentPaths(dir, startOffset).log, offset: startOffset },
    );
  }
  if (startOffset > expected) {
    logger.warn('offsets missing between segments (a segment was removed by hand?)', {
      dir,
      missingFrom: expected,
      missingTo: startOffset - 1n,
    });
  }
}

function report(logger: StorageLogger, repair: RecoveryRepair): void {
  if (repair.kind === 'truncated-tail') {
    logger.warn('cut a torn tail from the last segment', { ...repair });
  } else if (repair.kind === 'rebuilt-index') {
    logger.warn('rebuilt a segment index from its log', { ...repair });
  }
}
