/** How durable an acknowledged append is. */
export type FsyncMode =
  /** fsync before the append resolves: an acknowledged message survives a power loss. */
  | { kind: 'always' }
  /** fsync every `ms`: a crash of the machine can lose up to `ms` of acknowledged messages. */
  | { kind: 'interval'; ms: number }
  /** never fsync (the OS flushes): a process crash loses nothing, a machine crash can lose what the OS had not written. */
  | { kind: 'never' };

/** Where one append landed. */
export interface AppendResult {
  firstOffset: bigint;
  lastOffset: bigint;
  /** Server timestamp stamped on every message of the batch (µs since the epoch). */
  timestamp: bigint;
}

/** A run of whole messages in wire layout, read from one partition. */
export interface ReadResult {
  /** Messages back to back, exactly as the poll response carries them. */
  messages: Buffer;
  count: number;
  firstOffset: bigint | null;
  lastOffset: bigint | null;
}

export interface PartitionStats {
  /** Offset of the last message, or null when the partition never held one. */
  currentOffset: bigint | null;
  /** Messages currently stored (after retention). */
  messagesCount: bigint;
  sizeBytes: bigint;
  segmentsCount: number;
  /** First offset still stored (after retention), or null when empty. */
  firstOffset: bigint | null;
}

/**
 * The messages of one partition: a segmented append-only log (persistent) or an in-memory log.
 * Appends are serialized per partition; offsets are dense from 0.
 */
export interface PartitionStore {
  /**
   * Appends validated messages in wire layout (as taken from a send-messages request), message i ending
   * at `ends[i]` (exclusive; what the validating walk returned): stamps offset, timestamp, id and checksum
   * into them, then stores them.
   */
  append(messages: Buffer, ends: Uint32Array): Promise<AppendResult>;
  /** Up to `count` messages from `offset` (inclusive), or from the first stored one when `offset` is older. */
  readFromOffset(offset: bigint, count: number): Promise<ReadResult>;
  /** Up to `count` messages whose timestamp is ≥ `timestamp` (µs). */
  readFromTimestamp(timestamp: bigint, count: number): Promise<ReadResult>;
  stats(): PartitionStats;
  /** Forces buffered data to disk (fsync when asked). */
  flush(fsync: boolean): Promise<void>;
  /**
   * Deletes sealed segments, oldest first, whose newest message is at least `expiryMicros` old
   * (last timestamp + expiry ≤ now); returns messages removed. With `upToOffset`, stops at the first
   * segment holding an offset above it (the consumers' barrier of server 0.8).
   */
  removeExpired(nowMicros: bigint, expiryMicros: bigint, upToOffset?: bigint): Promise<bigint>;
  /** Deletes the oldest sealed segment; returns its size in bytes (0 when only the active segment is left). */
  removeOldestSegment(): Promise<bigint>;
  /**
   * Deletes up to `count` oldest sealed segments (DeleteSegments command). With `upToOffset`, stops at
   * the first segment holding an offset above it (server 0.7 keeps segments with unconsumed messages).
   */
  removeSegments(count: number, upToOffset?: bigint): Promise<void>;
  /**
   * Removes every message and restarts the partition at offset 0, as the real server's purge does
   * (server 0.7 `purge_all_segments`: a fresh segment at 0, current offset reset). Timestamps stay
   * monotonic. The server also deletes the partition's consumer offsets: see `ConsumerOffsetStore.clear`.
   */
  purge(): Promise<void>;
  close(): Promise<void>;
  /** Removes the partition's files. */
  destroy(): Promise<void>;
}
