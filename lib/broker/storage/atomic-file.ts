import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { syncDirectory, writeFully } from './file-io.js';
import { FILE_MODE } from './file-modes.js';

let sequence = 0;

/** Marks temporary files left by `replaceFile`; recovery deletes files with it in their name. */
export const TEMP_MARKER = '.tmp-';

/**
 * Replaces `path` with `data` so that a crash leaves either the old or the new content, never a mix:
 * writes a temporary file beside it, fsyncs it, renames it over `path`, fsyncs the directory. Returns
 * the new file, open for reading and writing (the caller closes it).
 */
export async function replaceFile(path: string, data: Buffer): Promise<FileHandle> {
  const temp = `${path}${TEMP_MARKER}${process.pid}-${++sequence}`;
  let file: FileHandle | null = null;
  try {
    file = await open(temp, 'wx+', FILE_MODE);
    writeFully(file, data, 0);
    await file.datasync();
    await rename(temp, path);
    await syncDirectory(dirname(path));
    return file;
  } catch (error) {
    await file?.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}
