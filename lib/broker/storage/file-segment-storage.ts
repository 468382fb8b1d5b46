import { constants } from 'node:fs';
import { open, rm, unlink, type FileHandle } from 'node:fs/promises';
import { isErrno, readFully, readWhole, syncDirectory, writeFully, writevFully } from './file-io.js';
import { segmentPaths } from './segment-files.js';
import { StorageError } from './storage-error.js';
import type { SegmentStorage, SegmentStorageProvider } from './segment-storage.js';
import { FILE_MODE } from './file-modes.js';

interface Handles {
  log: FileHandle;
  index: FileHandle;
}

const READ_WRITE_CREATE = constants.O_RDWR | constants.O_CREAT;

/**
 * A segment's `.log` and `.index` files. A sealed segment found at startup opens its files
 * read-only on first use. Closing or removing waits for operations already under way.
 */
export class FileSegmentStorage implements SegmentStorage {
  private handles: Promise<Handles> | null;
  private users = 0;
  private drained: (() => void)[] = [];
  private state: 'open' | 'closing' | 'closed' = 'open';

  private constructor(
    readonly logPath: string,
    readonly indexPath: string,
    handles: Handles | null,
    private readonly writable: boolean,
  ) {
    this.handles = handles ? Promise.resolve(handles) : null;
  }

  /** A new empty segment (existing files of that name are emptied). */
  static async create(dir: string, startOffset: bigint): Promise<FileSegmentStorage> {
    const paths = segmentPaths(dir, startOffset);
    const handles = await openPair(paths.log, paths.index, READ_WRITE_CREATE | constants.O_TRUNC);
    return new FileSegmentStorage(paths.log, paths.index, handles, true);
  }

  /** An existing segment that takes appends (the active one found by recovery). */
  static async openWritable(logPath: string, indexPath: string): Promise<FileSegmentStorage> {
    const handles = await openPair(logPath, indexPath, READ_WRITE_CREATE);
    return new FileSegmentStorage(logPath, indexPath, handles, true);
  }

  /** An existing sealed segment, opened read-only when first read. */
  static sealed(logPath: string, indexPath: string): FileSegmentStorage {
    return new FileSegmentStorage(logPath, indexPath, null, false);
  }

  async write(
    log: readonly Buffer[],
    logPosition: number,
    index: Buffer,
    indexPosition: number,
  ): Promise<void> {
    await this.run(async (h) => {
      if (!this.writable)
        throw new StorageError('Closed', `segment ${this.logPath} is sealed`, { file: this.logPath });
      writevFully(h.log, log, logPosition);
      writeFully(h.index, index, indexPosition);
    });
  }

  async readLog(target: Buffer, targetOffset: number, position: number, length: number): Promise<void> {
    await this.run(async (h) => {
      const read = await readFully(h.log, target, targetOffset, length, position);
      if (read !== length) {
        throw new StorageError(
          'Corrupt',
          `${this.logPath} ends at byte ${position + read}, but its index says bytes up to ${position + length} exist`,
          { file: this.logPath, position: position + read },
        );
      }
    });
  }

  async readIndex(): Promise<Buffer> {
    return this.run((h) => readWhole(h.index));
  }

  async sync(): Promise<void> {
    await this.run(async (h) => {
      await Promise.all([h.log.datasync(), h.index.datasync()]);
    });
  }

  async syncLog(): Promise<void> {
    await this.run((h) => h.log.datasync());
  }

  async truncate(logSize: number, indexSize: number): Promise<void> {
    await this.run(async (h) => {
      await Promise.all([h.log.truncate(logSize), h.index.truncate(indexSize)]);
    });
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closing';
    if (this.users > 0) await new Promise<void>((resolve) => this.drained.push(resolve));
    this.state = 'closed';
    const handles = this.handles;
    this.handles = null;
    if (handles) {
      const h = await handles.catch(() => null);
      if (h) await Promise.all([h.log.close(), h.index.close()]);
    }
  }

  async remove(): Promise<void> {
    // A read that already holds this segment but has not opened its files yet must still find them.
    if (this.users > 0 && this.state !== 'closed') await this.openHandles().catch(() => undefined);
    await Promise.all([unlinkIfPresent(this.logPath), unlinkIfPresent(this.indexPath)]);
    await this.close();
  }

  private async run<T>(operation: (handles: Handles) => Promise<T>): Promise<T> {
    if (this.state === 'closed') {
      throw new StorageError('Closed', `segment ${this.logPath} is closed`, { file: this.logPath });
    }
    this.retain();
    try {
      return await operation(await this.openHandles());
    } finally {
      this.release();
    }
  }

  private openHandles(): Promise<Handles> {
    this.handles ??= openPair(this.logPath, this.indexPath, constants.O_RDONLY).catch((error: unknown) => {
      this.handles = null;
      throw error;
    });
    return this.handles;
  }

  retain(): void {
    this.users++;
  }

  release(): void {
    this.users--;
    if (this.users === 0) for (const wake of this.drained.splice(0)) wake();
  }
}

async function openPair(logPath: string, indexPath: string, flags: number): Promise<Handles> {
  const log = await open(logPath, flags, FILE_MODE);
  try {
    return { log, index: await open(indexPath, flags, FILE_MODE) };
  } catch (error) {
    await log.close();
    throw error;
  }
}

async function unlinkIfPresent(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (error) {
    if (!isErrno(error, 'ENOENT')) throw error;
  }
}

/** The segments of one partition directory. */
export class FileSegmentProvider implements SegmentStorageProvider {
  constructor(readonly dir: string) {}

  create(startOffset: bigint): Promise<SegmentStorage> {
    return FileSegmentStorage.create(this.dir, startOffset);
  }

  syncDirectory(): Promise<void> {
    return syncDirectory(this.dir);
  }

  async destroy(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
