import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readLegacyOffsets, removeLegacyOffsets } from './legacy-offset-files.js';
import {
  OffsetJournal,
  offsetKey,
  type OffsetChange,
  type OffsetOwnerKind,
  type StoredConsumerOffset,
} from './offset-journal.js';
import type { FsyncMode } from './partition-store.js';
import { silentStorageLogger, type StorageLogger } from './storage-logger.js';
import { DIR_MODE } from './file-modes.js';

export type { OffsetOwnerKind, StoredConsumerOffset } from './offset-journal.js';

/** The stored offsets of one partition: one per consumer id and one per group id. */
export interface ConsumerOffsetStore {
  get(kind: OffsetOwnerKind, id: number): bigint | undefined;
  /**
   * Stores an offset (visible to `get` at once); resolves once it is written (with fsync `always`,
   * fsynced). A store lost to a crash only makes the consumer resume from an older offset.
   */
  set(kind: OffsetOwnerKind, id: number, offset: bigint): Promise<void>;
  /** Forgets an offset; resolves true when one was stored. */
  delete(kind: OffsetOwnerKind, id: number): Promise<boolean>;
  list(): StoredConsumerOffset[];
  /** Forgets every offset (what the server's purge does to a partition's offsets). */
  clear(): Promise<void>;
  /** Writes what is pending (fsync unless `never`) and releases the file. */
  close(): Promise<void>;
}

const U64_MAX = 0xffffffffffffffffn;

function checkId(id: number): void {
  if (!Number.isInteger(id) || id < 0 || id > 0xffffffff)
    throw new RangeError(`consumer/group id must be a u32, got ${id}`);
}

/** Offsets in a map, each change written to `journal` when there is one. */
class OffsetTable implements ConsumerOffsetStore {
  private readonly values = new Map<string, StoredConsumerOffset>();

  constructor(private readonly journal: OffsetJournal | null) {
    for (const entry of journal?.entries() ?? []) this.values.set(offsetKey(entry.kind, entry.id), entry);
  }

  get(kind: OffsetOwnerKind, id: number): bigint | undefined {
    return this.values.get(offsetKey(kind, id))?.offset;
  }

  async set(kind: OffsetOwnerKind, id: number, offset: bigint): Promise<void> {
    checkId(id);
    if (offset < 0n || offset > U64_MAX) throw new RangeError(`offset must be a u64, got ${offset}`);
    this.values.set(offsetKey(kind, id), { kind, id, offset });
    await this.write({ kind, id, offset });
  }

  async delete(kind: OffsetOwnerKind, id: number): Promise<boolean> {
    const existed = this.values.delete(offsetKey(kind, id));
    if (existed) await this.write({ kind, id, offset: null });
    return existed;
  }

  list(): StoredConsumerOffset[] {
    return [...this.values.values()].map((entry) => ({ ...entry }));
  }

  async clear(): Promise<void> {
    this.values.clear();
    await this.journal?.rewrite([]);
  }

  async close(): Promise<void> {
    await this.journal?.close();
  }

  private async write(change: OffsetChange): Promise<void> {
    await this.journal?.write(change);
  }
}

/** Offsets held in memory only (`persistent: false`). */
export function createMemoryConsumerOffsetStore(): ConsumerOffsetStore {
  return new OffsetTable(null);
}

/**
 * The offsets of the partition in `partitionDir`, in its journal `offsets/journal` (see `OffsetJournal`).
 * A directory written before the journal existed keeps its offsets: the old layout (`offsets/consumers/{id}`
 * and `offsets/groups/{id}`, 8-byte files) is read into a new journal, then removed.
 *
 * Why a journal rather than offsets kept in memory and flushed on a timer: a commit is then on disk
 * (in the page cache at least) when it is acknowledged, so a process crash loses no commit and
 * redelivers nothing, for the price of one small write shared by the commits that arrive together.
 */
export async function openFileConsumerOffsetStore(
  partitionDir: string,
  options: { logger?: StorageLogger; fsync?: FsyncMode } = {},
): Promise<ConsumerOffsetStore> {
  const logger = options.logger ?? silentStorageLogger;
  const offsetsDir = join(partitionDir, 'offsets');
  await mkdir(offsetsDir, { recursive: true, mode: DIR_MODE });
  const journal = await OffsetJournal.open(
    join(offsetsDir, 'journal'),
    { fsync: options.fsync ?? { kind: 'interval', ms: 1000 }, logger },
    () => readLegacyOffsets(offsetsDir, logger),
  );
  try {
    await removeLegacyOffsets(offsetsDir); // the journal holds what they held (or, if it existed, newer)
  } catch (error) {
    await journal.close().catch(() => undefined);
    throw error;
  }
  return new OffsetTable(journal);
}
