import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { BrokerLogger } from '../broker-config.js';
import {
  createMemoryConsumerOffsetStore,
  openFileConsumerOffsetStore,
  type ConsumerOffsetStore,
} from '../storage/consumer-offset-store.js';
import {
  acquireDataDirLock,
  createDataDir,
  DataDirCreateError,
  type DataDirLock,
} from '../storage/data-dir-lock.js';
import { openFilePartitionStore } from '../storage/file-partition-store.js';
import { createMemoryPartitionStore } from '../storage/memory-partition-store.js';
import type { FsyncMode, PartitionStore } from '../storage/partition-store.js';
import type { StorageLogger } from '../storage/storage-logger.js';
import { TailCache, type TailCacheLimits } from '../storage/tail-cache.js';
import { restrictDataDir } from '../storage/file-modes.js';

/** One partition's address. */
export interface PartitionKey {
  streamId: number;
  topicId: number;
  partitionId: number;
}

/** An opened partition: its message log and its consumer offsets. */
export interface OpenedPartition {
  store: PartitionStore;
  offsets: ConsumerOffsetStore;
}

/** What the broker's state needs from lib/broker/storage: partitions on disk or in memory, and the dir lock. */
export interface StorageBackend {
  /** Opens (recovering) or creates the partition. */
  openPartition(key: PartitionKey): Promise<OpenedPartition>;
  /** Removes what is left of a deleted topic or stream (its directories) once its partitions are destroyed. */
  removeTopic(streamId: number, topicId: number): Promise<void>;
  removeStream(streamId: number): Promise<void>;
  /** Releases the data directory. */
  close(): Promise<void>;
}

export interface StorageBackendOptions {
  segmentSizeBytes: number;
  fsync: FsyncMode;
  /** Memory for polls of the tail (persistent partitions only). */
  tailCache: TailCacheLimits;
  logger: BrokerLogger;
}

export function partitionKeyString(key: PartitionKey): string {
  return `${key.streamId}/${key.topicId}/${key.partitionId}`;
}

/** Everything in memory (`persistent: false`). */
export function memoryBackend(options: StorageBackendOptions): StorageBackend {
  return {
    openPartition: async () => ({
      store: await createMemoryPartitionStore({ segmentSizeBytes: options.segmentSizeBytes }),
      offsets: createMemoryConsumerOffsetStore(),
    }),
    removeTopic: async () => undefined,
    removeStream: async () => undefined,
    close: async () => undefined,
  };
}

/**
 * Partitions in the real server's layout under `dataDir`: `streams/{stream}/topics/{topic}/partitions/{partition}/`
 * holding the segments and the consumer offsets' journal `offsets/journal`. Creates the data directory (with its
 * parents) when missing, then takes its lock, before anything else.
 */
export async function fileBackend(dataDir: string, options: StorageBackendOptions): Promise<StorageBackend> {
  await createDataDir(dataDir);
  try {
    await restrictDataDir(dataDir, storageLogger(options.logger));
  } catch (error) {
    throw new DataDirCreateError(dataDir, {
      cause: error,
      cannot: 'made private to its owner (mode 700; run the broker as its owner)',
    });
  }
  const lock: DataDirLock = await acquireDataDirLock(dataDir, { logger: storageLogger(options.logger) });
  const tailCache = new TailCache(options.tailCache);
  const streamDir = (streamId: number): string => join(dataDir, 'streams', String(streamId));
  const topicDir = (streamId: number, topicId: number): string =>
    join(streamDir(streamId), 'topics', String(topicId));
  return {
    async openPartition(key) {
      const dir = join(topicDir(key.streamId, key.topicId), 'partitions', String(key.partitionId));
      const logger = storageLogger(options.logger, `partition ${partitionKeyString(key)}`);
      const store = await openFilePartitionStore(dir, {
        segmentSizeBytes: options.segmentSizeBytes,
        fsync: options.fsync,
        tailCache,
        logger,
      });
      let offsets: ConsumerOffsetStore | undefined;
      try {
        offsets = await openFileConsumerOffsetStore(dir, { logger, fsync: options.fsync });
        await clampOffsets(store, offsets, logger);
        return { store, offsets };
      } catch (error) {
        await offsets?.close().catch(() => undefined);
        await store.close().catch(() => undefined);
        throw error;
      }
    },
    removeTopic: (streamId, topicId) => rm(topicDir(streamId, topicId), { recursive: true, force: true }),
    removeStream: (streamId) => rm(streamDir(streamId), { recursive: true, force: true }),
    close: () => lock.release(),
  };
}

/**
 * Stored offsets past the partition's last message (a machine crash took messages an offset was stored
 * for, with fsync `interval` or `never`) are brought down to it, as the real server does at start, so
 * the messages appended next at those offsets are not skipped.
 */
async function clampOffsets(
  store: PartitionStore,
  offsets: ConsumerOffsetStore,
  logger: StorageLogger,
): Promise<void> {
  const last = store.stats().currentOffset;
  for (const { kind, id, offset } of offsets.list()) {
    if (last !== null && offset <= last) continue;
    logger.warn('a stored offset is past the last message; brought down to it', { kind, id, offset, last });
    if (last === null) await offsets.delete(kind, id);
    else await offsets.set(kind, id, last);
  }
}

function storageLogger(logger: BrokerLogger, prefix?: string): StorageLogger {
  const line = (message: string, fields?: Record<string, unknown>): string =>
    `${prefix ? `${prefix}: ` : ''}${message}${fields ? ` ${JSON.stringify(fields, bigintJson)}` : ''}`;
  return {
    info: (message, fields) => logger.info(line(message, fields)),
    warn: (message, fields) => logger.warn(line(message, fields)),
  };
}

function bigintJson(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
