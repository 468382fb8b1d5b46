import { readdir, readFile, rmdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { TEMP_MARKER } from './atomic-file.js';
import { isErrno, syncDirectory } from './file-io.js';
import type { OffsetOwnerKind, StoredConsumerOffset } from './offset-journal.js';
import type { StorageLogger } from './storage-logger.js';

/**
 * The layout this broker used before the offsets journal (the real server's): `offsets/consumers/{id}`
 * and `offsets/groups/{id}`, each an 8-byte little-endian u64 replaced atomically per commit. Read once
 * to migrate a data directory into the journal, then removed.
 */
const DIRECTORY: Record<OffsetOwnerKind, string> = { consumer: 'consumers', group: 'groups' };

const OFFSET_FILE = /^(0|[1-9]\d{0,9})$/;

function isOffsetFile(name: string): boolean {
  return OFFSET_FILE.test(name) && Number(name) <= 0xffffffff;
}

/** The names in `dir`, or null when there is no such directory. */
async function listed(dir: string): Promise<string[] | null> {
  try {
    return await readdir(dir);
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return null;
    throw error;
  }
}

/** The offsets stored in the old layout under `offsetsDir` (none when there is none). */
export async function readLegacyOffsets(
  offsetsDir: string,
  logger: StorageLogger,
): Promise<StoredConsumerOffset[]> {
  const found: StoredConsumerOffset[] = [];
  for (const kind of ['consumer', 'group'] as const) {
    const dir = join(offsetsDir, DIRECTORY[kind]);
    for (const name of (await listed(dir)) ?? []) {
      if (!isOffsetFile(name)) continue;
      const path = join(dir, name);
      const bytes = await readFile(path);
      if (bytes.length !== 8) {
        logger.warn('ignored a consumer offset file that is not 8 bytes', {
          file: path,
          bytes: bytes.length,
        });
        continue;
      }
      found.push({ kind, id: Number(name), offset: bytes.readBigUInt64LE() });
    }
  }
  return found;
}

/**
 * Removes the old layout's files (offsets, and temporary files of interrupted writes) and then its
 * directories when nothing else is left in them. Only once the journal holds what they held.
 */
export async function removeLegacyOffsets(offsetsDir: string): Promise<void> {
  let removed = false;
  for (const kind of ['consumer', 'group'] as const) {
    const dir = join(offsetsDir, DIRECTORY[kind]);
    const entries = await listed(dir);
    if (entries === null) continue;
    for (const name of entries) {
      if (isOffsetFile(name) || name.includes(TEMP_MARKER)) await unlink(join(dir, name));
    }
    await rmdir(dir).catch((error: unknown) => {
      if (!isErrno(error, 'ENOTEMPTY') && !isErrno(error, 'EEXIST')) throw error; // other files: left alone
    });
    removed = true;
  }
  if (removed) await syncDirectory(offsetsDir);
}
