import { mkdir, readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { TEMP_MARKER, writeFileAtomic } from './atomic-file.js';
import { isErrno, syncDirectory } from './file-io.js';
import { silentStorageLogger, type StorageLogger } from './storage-logger.js';
import { DIR_MODE } from './file-modes.js';

/** Whose offset: a single consumer's or a consumer group's (two separate tables, as on the real server). */
export type OffsetOwnerKind = 'consumer' | 'group';

export interface StoredConsumerOffset {
  kind: OffsetOwnerKind;
  /** Numeric consumer or group id (a string consumer id is hashed by the caller, as the server does). */
  id: number;
  /** The last consumed offset (inclusive). */
  offset: bigint;
}

/** The stored offsets of one partition: one per consumer id and one per group id. */
export interface ConsumerOffsetStore {
  get(kind: OffsetOwnerKind, id: number): bigint | undefined;
  /** Stores an offset; resolves once it is durable (the value is visible to `get` at once). */
  set(kind: OffsetOwnerKind, id: number, offset: bigint): Promise<void>;
  /** Forgets an offset; resolves true when one was stored. */
  delete(kind: OffsetOwnerKind, id: number): Promise<boolean>;
  list(): StoredConsumerOffset[];
  /** Forgets every offset (what the server's purge does to a partition's offsets). */
  clear(): Promise<void>;
}

const U64_MAX = 0xffffffffffffffffn;
const DIRECTORY: Record<OffsetOwnerKind, string> = { consumer: 'consumers', group: 'groups' };

/** How offsets reach the disk; null for the in-memory store. */
interface OffsetFiles {
  write(kind: OffsetOwnerKind, id: number, offset: bigint): Promise<void>;
  remove(kind: OffsetOwnerKind, id: number): Promise<void>;
}

function keyOf(kind: OffsetOwnerKind, id: number): string {
  return `${kind}:${id}`;
}

function checkId(id: number): void {
  if (!Number.isInteger(id) || id < 0 || id > 0xffffffff)
    throw new RangeError(`consumer/group id must be a u32, got ${id}`);
}

/**
 * Offsets in a map, written through to `files` when given. Writes of one key run in order and
 * coalesce: a write that finds its value already on disk (a later `set` won) does nothing.
 */
class OffsetTable implements ConsumerOffsetStore {
  private readonly values = new Map<string, StoredConsumerOffset>();
  private readonly onDisk = new Map<string, bigint>();
  private readonly chains = new Map<string, Promise<void>>();

  constructor(
    private readonly files: OffsetFiles | null,
    loaded: StoredConsumerOffset[] = [],
  ) {
    for (const entry of loaded) {
      this.values.set(keyOf(entry.kind, entry.id), entry);
      this.onDisk.set(keyOf(entry.kind, entry.id), entry.offset);
    }
  }

  get(kind: OffsetOwnerKind, id: number): bigint | undefined {
    return this.values.get(keyOf(kind, id))?.offset;
  }

  async set(kind: OffsetOwnerKind, id: number, offset: bigint): Promise<void> {
    checkId(id);
    if (offset < 0n || offset > U64_MAX) throw new RangeError(`offset must be a u64, got ${offset}`);
    this.values.set(keyOf(kind, id), { kind, id, offset });
    await this.persist(kind, id);
  }

  async delete(kind: OffsetOwnerKind, id: number): Promise<boolean> {
    const existed = this.values.delete(keyOf(kind, id));
    await this.persist(kind, id);
    return existed;
  }

  list(): StoredConsumerOffset[] {
    return [...this.values.values()].map((entry) => ({ ...entry }));
  }

  async clear(): Promise<void> {
    const entries = [...this.values.values()];
    this.values.clear();
    await Promise.all(entries.map((entry) => this.persist(entry.kind, entry.id)));
  }

  /** Brings the file of one key in line with the map. */
  private persist(kind: OffsetOwnerKind, id: number): Promise<void> {
    const files = this.files;
    if (!files) return Promise.resolve();
    const key = keyOf(kind, id);
    const run = async (): Promise<void> => {
      const wanted = this.values.get(key)?.offset;
      if (wanted === this.onDisk.get(key)) return;
      if (wanted === undefined) await files.remove(kind, id);
      else await files.write(kind, id, wanted);
      if (wanted === undefined) this.onDisk.delete(key);
      else this.onDisk.set(key, wanted);
    };
    const result = (this.chains.get(key) ?? Promise.resolve()).then(run);
    const settled = result.catch(() => undefined);
    this.chains.set(key, settled);
    void settled.then(() => this.chains.get(key) === settled && this.chains.delete(key));
    return result;
  }
}

/** Offsets held in memory only (`persistent: false`). */
export function createMemoryConsumerOffsetStore(): ConsumerOffsetStore {
  return new OffsetTable(null);
}

/**
 * Offsets of the partition in `partitionDir`, as the real server lays them out:
 * `offsets/consumers/{id}` and `offsets/groups/{id}`, each an 8-byte little-endian u64,
 * replaced atomically (temporary file, fsync, rename, fsync of the directory).
 */
export async function openFileConsumerOffsetStore(
  partitionDir: string,
  options: { logger?: StorageLogger } = {},
): Promise<ConsumerOffsetStore> {
  const logger = options.logger ?? silentStorageLogger;
  const dirs = {
    consumer: join(partitionDir, 'offsets', DIRECTORY.consumer),
    group: join(partitionDir, 'offsets', DIRECTORY.group),
  };
  const loaded: StoredConsumerOffset[] = [];
  for (const kind of ['consumer', 'group'] as const) {
    await mkdir(dirs[kind], { recursive: true, mode: DIR_MODE });
    loaded.push(...(await loadOffsets(kind, dirs[kind], logger)));
  }
  const pathOf = (kind: OffsetOwnerKind, id: number): string => join(dirs[kind], String(id));
  return new OffsetTable(
    {
      write: (kind, id, offset) => {
        const bytes = Buffer.allocUnsafe(8);
        bytes.writeBigUInt64LE(offset);
        return writeFileAtomic(pathOf(kind, id), bytes);
      },
      remove: async (kind, id) => {
        try {
          await unlink(pathOf(kind, id));
        } catch (error) {
          if (!isErrno(error, 'ENOENT')) throw error;
          return;
        }
        await syncDirectory(dirs[kind]);
      },
    },
    loaded,
  );
}

async function loadOffsets(
  kind: OffsetOwnerKind,
  dir: string,
  logger: StorageLogger,
): Promise<StoredConsumerOffset[]> {
  const found: StoredConsumerOffset[] = [];
  for (const name of await readdir(dir)) {
    const path = join(dir, name);
    if (name.includes(TEMP_MARKER)) {
      await unlink(path).catch(() => undefined); // an interrupted write; the previous value is intact
      continue;
    }
    if (!/^(0|[1-9]\d{0,9})$/.test(name) || Number(name) > 0xffffffff) continue;
    const bytes = await readFile(path);
    if (bytes.length !== 8) {
      logger.warn('ignored a consumer offset file that is not 8 bytes', { file: path, bytes: bytes.length });
      continue;
    }
    found.push({ kind, id: Number(name), offset: bytes.readBigUInt64LE() });
  }
  return found;
}
