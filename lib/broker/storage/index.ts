export * from './partition-store.js';
export * from './storage-error.js';
export * from './storage-logger.js';
export { DEFAULT_SEGMENT_SIZE_BYTES, SegmentLog, type SegmentLogOptions } from './segment-log.js';
export {
  FilePartitionStore,
  openFilePartitionStore,
  type FilePartitionStoreOptions,
} from './file-partition-store.js';
export { createMemoryPartitionStore } from './memory-partition-store.js';
export type { RecoveryOptions, RecoveryReport } from './recovery.js';
export type { RecoveryRepair } from './segment-recovery.js';
export * from './consumer-offset-store.js';
export * from './data-dir-lock.js';
