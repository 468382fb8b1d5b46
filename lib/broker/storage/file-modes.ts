import { chmod, stat } from 'node:fs/promises';
import type { StorageLogger } from './storage-logger.js';

/**
 * Modes of everything the broker writes: its data holds password and token hashes (`metadata.json`) and
 * every message, so it is for the user running the broker only.
 */
export const FILE_MODE = 0o600;
export const DIR_MODE = 0o700;

/**
 * Takes group and other permissions off the data directory (a directory made by an older version, or by
 * hand, with 0755): nothing under it can then be reached by another user, files made 0644 before
 * included. Logged when it changes anything; a platform without POSIX modes (Windows) is left as is.
 */
export async function restrictDataDir(dir: string, logger: StorageLogger): Promise<void> {
  if (process.platform === 'win32') return;
  const mode = (await stat(dir)).mode & 0o777;
  if ((mode & 0o077) === 0) return;
  await chmod(dir, mode & DIR_MODE);
  logger.info(`restricted ${dir} to its owner (mode ${mode.toString(8)} → ${(mode & DIR_MODE).toString(8)})`);
}
