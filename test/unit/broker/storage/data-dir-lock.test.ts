import { afterEach, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { acquireDataDirLock, DataDirLockedError } from '../../../../lib/broker/storage/data-dir-lock.js';
import { RecordingLogger, TempDirs } from './storage-test-kit.js';

const dirs = new TempDirs();
afterEach(() => dirs.cleanup());

/** The pid of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

describe('data directory lock', () => {
  it('writes who holds it, and a second acquire fails naming the holder', async () => {
    const dir = await dirs.make();
    const lock = await acquireDataDirLock(dir);
    const content = JSON.parse(await readFile(join(dir, '.lock'), 'utf8')) as Record<string, unknown>;
    expect(content).toEqual({ pid: process.pid, hostname: hostname(), startedAt: lock.holder.startedAt });
    const error = await acquireDataDirLock(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataDirLockedError);
    expect(error).toMatchObject({ lockPath: join(dir, '.lock'), holder: lock.holder });
    expect((error as Error).message).toContain(
      `pid ${process.pid} on ${hostname()} since ${lock.holder.startedAt}`,
    );
    await lock.release();
    await lock.release();
    const again = await acquireDataDirLock(dir);
    await again.release();
  });

  it('takes over a lock left by a dead process on this host, with a warning', async () => {
    const dir = await dirs.make();
    const stale = { pid: deadPid(), hostname: hostname(), startedAt: '2020-01-01T00:00:00.000Z' };
    await writeFile(join(dir, '.lock'), JSON.stringify(stale));
    const logger = new RecordingLogger();
    const lock = await acquireDataDirLock(dir, { logger });
    expect(lock.holder.pid).toBe(process.pid);
    expect(logger.lines).toEqual([
      expect.objectContaining({ level: 'warn', fields: expect.objectContaining({ previousHolder: stale }) }),
    ]);
    await lock.release();
  });

  it('does not take over a lock held by a process on another host', async () => {
    const dir = await dirs.make();
    const remote = {
      pid: deadPid(),
      hostname: `${hostname()}-elsewhere`,
      startedAt: '2020-01-01T00:00:00.000Z',
    };
    await writeFile(join(dir, '.lock'), JSON.stringify(remote));
    await expect(acquireDataDirLock(dir)).rejects.toMatchObject({ holder: remote });
  });

  it('release leaves a lock that is no longer its own', async () => {
    const dir = await dirs.make();
    const lock = await acquireDataDirLock(dir);
    await writeFile(join(dir, '.lock'), JSON.stringify({ pid: 1, hostname: 'other', startedAt: 'x' }));
    await lock.release();
    expect(await readFile(join(dir, '.lock'), 'utf8')).toContain('"other"');
  });
});
