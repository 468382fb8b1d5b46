import { memorySegmentProvider } from './memory-segment-storage.js';
import { Segment } from './segment.js';
import { SegmentLog, type SegmentLogOptions } from './segment-log.js';
import type { SegmentStorageProvider } from './segment-storage.js';

/**
 * A partition held in memory (`persistent: false`): the same segment log as the persistent store
 * (same stamping, index, rollover, retention, reads), with segments in memory and no fsync.
 */
export async function createMemoryPartitionStore(options: SegmentLogOptions = {}): Promise<SegmentLog> {
  const provider: SegmentStorageProvider = memorySegmentProvider;
  return new SegmentLog(provider, [new Segment(0n, await provider.create(0n))], {
    ...options,
    fsync: { kind: 'never' },
  });
}
