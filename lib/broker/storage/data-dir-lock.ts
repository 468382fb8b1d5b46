import { link, mkdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { isErrno } from './file-io.js';
import { silentStorageLogger, type StorageLogger } from './storage-logger.js';
import { DIR_MODE, FILE_MODE } from './file-modes.js';

/** Who holds a data directory: what `<dir>/.lock` contains. */
export interface LockHolder {
  pid: number;
  hostname: string;
  /** ISO 8601. */
  startedAt: string;
}

/** Another broker (or process) holds the data directory. */
export class DataDirLockedError extends Error {
  override readonly name = 'DataDirLockedError';

  constructor(
    readonly lockPath: string,
    /** Null when the lock file could not be read (it is being written, or is damaged). */
    readonly holder: LockHolder | null,
  ) {
    super(
      holder
        ? `data directory is in use: ${lockPath} is held by pid ${holder.pid} on ${holder.hostname} since ${holder.startedAt}`
        : `data directory is in use: ${lockPath} exists but names no holder (being created, or damaged: remove it if no broker runs)`,
    );
  }
}

/** The data directory does not exist and cannot be created (no rights, a file in the way...); `cause` says why. */
export class DataDirCreateError extends Error {
  override readonly name = 'DataDirCreateError';

  /** `cannot`: what could not be done to it (default: created). */
  constructor(
    readonly dir: string,
    options: { cause: unknown; cannot?: string },
  ) {
    const why = options.cause instanceof Error ? options.cause.message : String(options.cause);
    super(`data directory ${dir} cannot be ${options.cannot ?? 'created'}: ${why}`, { cause: options.cause });
  }
}

/** Creates the data directory (with its parents) when missing; `DataDirCreateError` when it cannot. */
export async function createDataDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: DIR_MODE });
  } catch (error) {
    throw new DataDirCreateError(dir, { cause: error });
  }
}

/** An acquired data directory. */
export interface DataDirLock {
  readonly path: string;
  readonly holder: LockHolder;
  /** Removes the lock (only if it is still ours). Idempotent. */
  release(): Promise<void>;
}

/** An unreadable lock file older than this is treated as left by a crash while it was written. */
const UNREADABLE_GRACE_MS = 10_000;

/**
 * One data directory, one broker: creates `<dir>/.lock` exclusively with {pid, hostname, startedAt}.
 * A lock whose holder is a dead process on this host is taken over (with a warning); any other lock
 * fails with `DataDirLockedError` naming the holder.
 */
export async function acquireDataDirLock(
  dir: string,
  options: { logger?: StorageLogger } = {},
): Promise<DataDirLock> {
  const logger = options.logger ?? silentStorageLogger;
  const path = join(dir, '.lock');
  const holder: LockHolder = { pid: process.pid, hostname: hostname(), startedAt: new Date().toISOString() };
  const content = JSON.stringify(holder);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await writeFile(path, content, { flag: 'wx', mode: FILE_MODE });
      return ownedLock(path, holder, content);
    } catch (error) {
      if (!isErrno(error, 'EEXIST')) throw error;
    }
    const existing = await readLock(path);
    if (existing === undefined) continue; // released meanwhile: try again
    if (!isStale(existing.holder, existing.ageMs)) throw new DataDirLockedError(path, existing.holder);
    if (await takeOver(path, existing.raw)) {
      logger.warn('took over a stale data directory lock', { lock: path, previousHolder: existing.holder });
    }
  }
  throw new DataDirLockedError(path, (await readLock(path))?.holder ?? null);
}

function ownedLock(path: string, holder: LockHolder, content: string): DataDirLock {
  let released = false;
  return {
    path,
    holder,
    async release() {
      if (released) return;
      released = true;
      const current = await readFile(path, 'utf8').catch(() => null);
      if (current === content) await unlink(path).catch(() => undefined);
    },
  };
}

async function readLock(
  path: string,
): Promise<{ holder: LockHolder | null; raw: string; ageMs: number } | undefined> {
  let raw: string;
  let ageMs: number;
  try {
    raw = await readFile(path, 'utf8');
    ageMs = Date.now() - (await stat(path)).mtimeMs;
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return undefined;
    throw error;
  }
  return { holder: parseHolder(raw), raw, ageMs };
}

function parseHolder(raw: string): LockHolder | null {
  try {
    const value = JSON.parse(raw) as Partial<LockHolder>;
    if (
      Number.isInteger(value.pid) &&
      typeof value.hostname === 'string' &&
      typeof value.startedAt === 'string'
    ) {
      return { pid: value.pid!, hostname: value.hostname, startedAt: value.startedAt };
    }
  } catch {
    // not JSON: handled as unreadable
  }
  return null;
}

function isStale(holder: LockHolder | null, ageMs: number): boolean {
  if (!holder) return ageMs > UNREADABLE_GRACE_MS;
  if (holder.hostname !== hostname()) return false; // cannot check a process on another host
  if (holder.pid === process.pid) return false; // this process holds it already
  return !processAlive(holder.pid);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return !isErrno(error, 'ESRCH'); // EPERM: alive, owned by someone else
  }
}

/**
 * Moves the stale lock aside and checks it is the one judged stale; if another process replaced it
 * meanwhile, puts that one back. Returns whether the stale lock was removed.
 */
async function takeOver(path: string, staleContent: string): Promise<boolean> {
  const aside = `${path}.stale-${process.pid}`;
  try {
    await rename(path, aside);
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return false;
    throw error;
  }
  const moved = await readFile(aside, 'utf8').catch(() => null);
  if (moved !== staleContent) await link(aside, path).catch(() => undefined); // a fresh lock: restore it
  await unlink(aside).catch(() => undefined);
  return moved === staleContent;
}
