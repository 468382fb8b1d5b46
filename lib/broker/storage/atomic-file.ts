import { open, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { syncDirectory, writeFully } from './file-io.js';
import { FILE_MODE } from './file-modes.js';

let sequence = 0;

/** Marks temporary files left by `writeFileAtomic`; recovery deletes files with it in their name. */
export const TEMP_MARKER = '.tmp-';

/**
 * Replaces `path` with `data` so that a crash leaves either the old or the new content, never a mix:
 * write a temporary file beside it, fsync it, rename it over `path`, fsync the directory.
 */
export async function writeFileAtomic(path: string, data: Buffer): Promise<void> {
  const temp = `${path}${TEMP_MARKER}${process.pid}-${++sequence}`;
  try {
    const file = await open(temp, 'wx', FILE_MODE);
    try {
      await writeFully(file, data, 0);
      await file.datasync();
    } finally {
      await file.close();
    }
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await syncDirectory(dirname(path));
}
