import { xxh32 } from '@node-rs/xxhash';
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { replaceFile } from './atomic-file.js';
import { isErrno, readWhole, writeFully } from './file-io.js';
import { GroupCommitQueue, type GroupMember } from './group-commit-queue.js';
import type { FsyncMode } from './partition-store.js';
import { PeriodicSync } from './periodic-sync.js';
import { StorageError } from './storage-error.js';
import type { StorageLogger } from './storage-logger.js';

/** Whose offset: a single consumer's or a consumer group's (two separate tables, as on the real server). */
export type OffsetOwnerKind = 'consumer' | 'group';

export interface StoredConsumerOffset {
  kind: OffsetOwnerKind;
  /** Numeric consumer or group id (a string consumer id is hashed by the caller, as the server does). */
  id: number;
  /** The last consumed offset (inclusive). */
  offset: bigint;
}

/** One change of a partition's offsets: a stored offset, or (`offset` null) a deleted one. */
export interface OffsetChange {
  kind: OffsetOwnerKind;
  id: number;
  offset: bigint | null;
}

/** The file starts with this, so a file of another kind is never taken for a journal. */
const MAGIC = Buffer.from('OFFSETS1', 'latin1');
/** kind u8 (1 consumer, 2 group), op u8 (1 set, 2 delete), 2 reserved bytes, id u32, offset u64, xxh32 u32. */
const RECORD_BYTES = 20;
const CHECKED_BYTES = 16;
const KIND_CODE: Record<OffsetOwnerKind, number> = { consumer: 1, group: 2 };
const SET = 1;
const DELETE = 2;
/** Compacted once it holds this many records and four times as many as offsets are stored. */
const COMPACT_AT_RECORDS = 4096;

export function offsetKey(kind: OffsetOwnerKind, id: number): string {
  return `${kind}:${id}`;
}

function encode(changes: Iterable<OffsetChange>, count: number, header: boolean): Buffer {
  const start = header ? MAGIC.length : 0;
  const bytes = Buffer.alloc(start + count * RECORD_BYTES);
  if (header) MAGIC.copy(bytes);
  let at = start;
  for (const change of changes) {
    bytes[at] = KIND_CODE[change.kind];
    bytes[at + 1] = change.offset === null ? DELETE : SET;
    bytes.writeUInt32LE(change.id, at + 4);
    bytes.writeBigUInt64LE(change.offset ?? 0n, at + 8);
    bytes.writeUInt32LE(xxh32(bytes.subarray(at, at + CHECKED_BYTES), 0), at + CHECKED_BYTES);
    at += RECORD_BYTES;
  }
  return bytes;
}

/** The record at `at`, or null when it is not a whole, intact record (a torn tail). */
function decode(bytes: Buffer, at: number): OffsetChange | null {
  if (bytes.length - at < RECORD_BYTES) return null;
  if (xxh32(bytes.subarray(at, at + CHECKED_BYTES), 0) !== bytes.readUInt32LE(at + CHECKED_BYTES))
    return null;
  const kind = bytes[at] === 1 ? 'consumer' : bytes[at] === 2 ? 'group' : null;
  const op = bytes[at + 1];
  if (!kind || (op !== SET && op !== DELETE) || bytes.readUInt16LE(at + 2) !== 0) return null;
  const id = bytes.readUInt32LE(at + 4);
  return { kind, id, offset: op === SET ? bytes.readBigUInt64LE(at + 8) : null };
}

interface PendingChange extends GroupMember {
  change: OffsetChange;
  resolve(): void;
}

export interface OffsetJournalOptions {
  fsync: FsyncMode;
  logger: StorageLogger;
}

/**
 * A partition's consumer offsets as an append-only file of fixed-size, checksummed records (each a
 * stored or a deleted offset; the last one of a consumer or group wins), instead of one file replaced
 * per commit. Changes that arrive while a write is under way are written together (the last of each
 * owner only), so a commit costs a share of one write. The file is compacted (rewritten atomically with
 * one record per stored offset) once it holds mostly superseded records. fsync follows the partition's
 * mode: `always` before a change resolves, `interval` on a timer, `never` not at all. A crash can lose
 * only changes not yet written (and, for a machine crash, not yet fsynced): a consumer then resumes from
 * an older offset and is redelivered messages, never skips one. A torn last record is cut at open.
 */
export class OffsetJournal {
  private readonly queue: GroupCommitQueue<PendingChange>;
  private readonly periodic: PeriodicSync | null;
  /** What the file says (the state a compaction writes). */
  private readonly stored = new Map<string, StoredConsumerOffset>();
  private records = 0;
  private closed: Promise<void> | null = null;

  private constructor(
    readonly path: string,
    private file: FileHandle,
    private size: number,
    private readonly options: OffsetJournalOptions,
  ) {
    this.queue = new GroupCommitQueue((group) => this.writeGroup(group));
    const fsync = options.fsync;
    this.periodic =
      fsync.kind === 'interval'
        ? new PeriodicSync(fsync.ms, () => this.file.datasync(), options.logger)
        : null;
  }

  /**
   * Opens the journal at `path`, replaying it (and cutting a torn tail); when there is none, creates it
   * holding `initial` (offsets migrated from an older layout).
   */
  static async open(
    path: string,
    options: OffsetJournalOptions,
    initial: () => Promise<StoredConsumerOffset[]>,
  ): Promise<OffsetJournal> {
    let file: FileHandle;
    try {
      file = await open(path, constants.O_RDWR);
    } catch (error) {
      if (!isErrno(error, 'ENOENT')) throw error;
      const entries = await initial();
      file = await replaceFile(path, encode(entries, entries.length, true));
    }
    try {
      const bytes = await readWhole(file);
      if (bytes.length < MAGIC.length || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) {
        throw new StorageError(
          'Corrupt',
          `${path} is not an offsets journal (it does not start with ${MAGIC.toString('latin1')}); ` +
            'move it away to start again without the stored offsets (consumers then resume from their first message)',
          { file: path },
        );
      }
      const journal = new OffsetJournal(path, file, MAGIC.length, options);
      await journal.replay(bytes);
      return journal;
    } catch (error) {
      await file.close();
      throw error;
    }
  }

  /** The offsets stored, as replayed at open and changed since. */
  entries(): StoredConsumerOffset[] {
    return [...this.stored.values()].map((entry) => ({ ...entry }));
  }

  /** Writes `change`; resolves once written (with fsync `always`, fsynced). */
  write(change: OffsetChange): Promise<void> {
    if (this.closed)
      return Promise.reject(new StorageError('Closed', `offsets journal ${this.path} is closed`));
    return new Promise((resolve, reject) => this.queue.join({ change, resolve, reject }));
  }

  /** Replaces the whole content with `entries` (what a purge leaves: none). */
  rewrite(entries: StoredConsumerOffset[]): Promise<void> {
    return this.queue.run(async () => {
      this.stored.clear();
      for (const entry of entries) this.stored.set(offsetKey(entry.kind, entry.id), { ...entry });
      await this.compact();
    });
  }

  close(): Promise<void> {
    if (this.closed) return this.closed;
    const stopped = this.periodic?.stop();
    this.closed = this.queue.run(async () => {
      await stopped;
      try {
        if (this.options.fsync.kind !== 'never') await this.file.datasync();
      } finally {
        await this.file.close();
      }
    });
    return this.closed;
  }

  private async replay(bytes: Buffer): Promise<void> {
    let at = MAGIC.length;
    for (let change = decode(bytes, at); change; change = decode(bytes, at)) {
      this.apply(change);
      this.records++;
      at += RECORD_BYTES;
    }
    this.size = at;
    if (at < bytes.length) {
      await this.file.truncate(at);
      await this.file.datasync();
      this.options.logger.warn('cut a torn tail from the offsets journal', {
        file: this.path,
        bytesCut: bytes.length - at,
      });
    }
  }

  private apply(change: OffsetChange): void {
    const key = offsetKey(change.kind, change.id);
    if (change.offset === null) this.stored.delete(key);
    else this.stored.set(key, { kind: change.kind, id: change.id, offset: change.offset });
  }

  private async writeGroup(group: PendingChange[]): Promise<void> {
    const last = new Map<string, OffsetChange>();
    for (const { change } of group) last.set(offsetKey(change.kind, change.id), change);
    const bytes = encode(last.values(), last.size, false);
    try {
      writeFully(this.file, bytes, this.size);
      if (this.options.fsync.kind === 'always') await this.file.datasync();
    } catch (error) {
      await this.file.truncate(this.size).catch(() => undefined); // never leave part of a failed write
      throw error;
    }
    this.size += bytes.length;
    this.records += last.size;
    for (const change of last.values()) this.apply(change);
    this.periodic?.written();
    for (const pending of group) pending.resolve();
    if (this.records >= COMPACT_AT_RECORDS && this.records >= 4 * this.stored.size) {
      await this.compact().catch((error: unknown) =>
        this.options.logger.warn('offsets journal compaction failed; retrying later', {
          error: String(error),
        }),
      );
    }
  }

  /** Rewrites the file with one record per stored offset (temporary file, fsync, rename). */
  private async compact(): Promise<void> {
    const entries = [...this.stored.values()];
    const file = await replaceFile(this.path, encode(entries, entries.length, true));
    await this.file.close().catch(() => undefined);
    this.file = file;
    this.size = MAGIC.length + entries.length * RECORD_BYTES;
    this.records = entries.length;
    this.periodic?.synced();
  }
}
