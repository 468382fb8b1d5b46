import { FileSegmentProvider, FileSegmentStorage } from './file-segment-storage.js';
import { IndexBuffer } from './index-entries.js';
import { recoverPartition, type RecoveryOptions, type RecoveryReport } from './recovery.js';
import { Segment } from './segment.js';
import { segmentPaths } from './segment-files.js';
import { SegmentLog, type SegmentLogOptions } from './segment-log.js';

export type FilePartitionStoreOptions = SegmentLogOptions & RecoveryOptions;

/**
 * A partition stored in `dir` as `{start_offset:020}.log/.index` segments, recovered at open. Recovery
 * checks the last segment's checksums, not the sealed ones (that would read the whole log at start):
 * unless `verifyChecksumsOnRead: false`, reads check a sealed segment's messages the first time they are
 * read, so bit rot in them is never served, and each byte is hashed once per open.
 */
export class FilePartitionStore extends SegmentLog {
  private constructor(
    readonly dir: string,
    /** What recovery found and repaired when the store was opened. */
    readonly recovery: RecoveryReport,
    provider: FileSegmentProvider,
    segments: Segment[],
    options: FilePartitionStoreOptions,
  ) {
    super(provider, segments, { verifyChecksumsOnRead: true, ...options });
  }

  /** Opens (creating when missing) the partition directory, repairing what a crash left behind. */
  static async open(dir: string, options: FilePartitionStoreOptions = {}): Promise<FilePartitionStore> {
    const recovery = await recoverPartition(dir, options);
    const provider = new FileSegmentProvider(dir);
    const segments: Segment[] = [];
    try {
      for (const [i, found] of recovery.segments.entries()) {
        const paths = segmentPaths(dir, found.startOffset);
        const last = i === recovery.segments.length - 1;
        const storage = last
          ? await FileSegmentStorage.openWritable(paths.log, paths.index)
          : FileSegmentStorage.sealed(paths.log, paths.index);
        const segment = new Segment(
          found.startOffset,
          storage,
          found,
          last ? new IndexBuffer(found.index) : null,
        );
        if (!last && options.verifyAllChecksums !== true) segment.verifiedUpTo = 0;
        segments.push(segment);
      }
      if (segments.length === 0) {
        segments.push(new Segment(0n, await provider.create(0n)));
        await provider.syncDirectory();
      }
    } catch (error) {
      await Promise.all(segments.map((segment) => segment.storage.close()));
      throw error;
    }
    return new FilePartitionStore(dir, recovery, provider, segments, options);
  }
}

/** Opens a persistent partition store in `dir`. */
export function openFilePartitionStore(
  dir: string,
  options: FilePartitionStoreOptions = {},
): Promise<FilePartitionStore> {
  return FilePartitionStore.open(dir, options);
}
