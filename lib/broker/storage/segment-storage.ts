/**
 * Where one segment's bytes live: a pair of files (`.log`, `.index`) or memory. The segment log
 * owns positions and sizes; a storage only moves bytes.
 */
export interface SegmentStorage {
  /**
   * Writes messages (`log`: batches back to back, in one write) at `logPosition` of the log and their
   * entries at `indexPosition` of the index.
   */
  write(log: readonly Buffer[], logPosition: number, index: Buffer, indexPosition: number): Promise<void>;
  /** Reads exactly `length` log bytes from `position` into `target` at `targetOffset`. */
  readLog(target: Buffer, targetOffset: number, position: number, length: number): Promise<void>;
  /** The whole index. */
  readIndex(): Promise<Buffer>;
  /** Makes written bytes durable (fsync of log and index). */
  sync(): Promise<void>;
  /**
   * Makes the written log bytes durable (fsync of the log only): what an acknowledged append needs, as
   * recovery rebuilds the index of the last segment from its log.
   */
  syncLog(): Promise<void>;
  /** Cuts log and index back to the given sizes (undoes a failed write). */
  truncate(logSize: number, indexSize: number): Promise<void>;
  /** Keeps the storage readable until `release` (a read that spans awaits calls it first). */
  retain(): void;
  release(): void;
  /** Releases resources once in-flight operations are done; the bytes stay. */
  close(): Promise<void>;
  /** Deletes the bytes; in-flight reads still complete. */
  remove(): Promise<void>;
}

/** Creates the storages of one partition's segments. */
export interface SegmentStorageProvider {
  /** A new, empty segment starting at `startOffset` (files `{startOffset:020}.log/.index`). */
  create(startOffset: bigint): Promise<SegmentStorage>;
  /** Makes created and deleted segment files durable (fsync of the partition directory). */
  syncDirectory(): Promise<void>;
  /** Removes everything the provider holds (the partition directory). */
  destroy(): Promise<void>;
}
