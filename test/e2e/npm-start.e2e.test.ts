import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { acquireDataDirLock } from '../../lib/broker/storage/data-dir-lock.js';
import { ChildRun, cleanUp, tempDir, type SampleAppInfo } from '../support/app-process.js';
import { ensureBuilt, repoRoot } from '../support/build-once.js';

/** `npm start` as a container runs it: npm itself is the process that gets the signal. */
async function npmStart(dataDir: string): Promise<{ npm: ChildRun; info: SampleAppInfo }> {
  const child = spawn('npm', ['start'], {
    cwd: repoRoot,
    // Its own process group, as in a container: a signal to npm alone, or to the whole group (Ctrl-C).
    detached: true,
    env: {
      PATH: process.env.PATH ?? '',
      NO_COLOR: '1',
      PORT: '0',
      IGGY_DATA_DIR: join(dataDir, 'iggy'),
      IGGY_TCP_PORT: '0',
      IGGY_HTTP_PORT: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const npm = new ChildRun(child);
  const [, json] = await npm.waitForOutput(/SAMPLE_APP_READY (\{.*\})/, 150_000);
  return { npm, info: JSON.parse(json!) as SampleAppInfo };
}

/** Waits for the exit (a second signal would cut the shutdown short); SIGKILLs the group past `ms`. */
async function exited(run: ChildRun, ms = 20_000): Promise<void> {
  const timer = setTimeout(() => process.kill(-run.child.pid!, 'SIGKILL'), ms);
  try {
    await run.exited;
  } finally {
    clearTimeout(timer);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** After the stop: no process of the group left, the ports and the data-dir lock free. */
async function expectAllReleased(npm: ChildRun, info: SampleAppInfo, dataDir: string): Promise<void> {
  const group = npm.child.pid!;
  expect(alive(info.pid)).toBe(false);
  expect(alive(-group)).toBe(false);
  for (const port of [info.http, info.tcp!, info.brokerHttp!]) expect(await portFree(port)).toBe(true);
  const lock = await acquireDataDirLock(join(dataDir, 'iggy'));
  await lock.release();
}

describe('npm start', () => {
  beforeAll(ensureBuilt, 180_000);
  afterAll(cleanUp);

  it('stops cleanly on SIGTERM to npm (docker stop) and on SIGINT to its group (Ctrl-C)', async () => {
    const dataDir = tempDir();

    const first = await npmStart(dataDir);
    expect(first.info.pid).not.toBe(first.npm.child.pid);
    process.kill(first.npm.child.pid!, 'SIGTERM');
    await exited(first.npm);
    expect(first.npm.output).toMatch(/connector shut down/);
    await expectAllReleased(first.npm, first.info, dataDir);

    // The second start compiles nothing (the app is up to date) and reopens the same data.
    const second = await npmStart(dataDir);
    process.kill(-second.npm.child.pid!, 'SIGINT');
    await exited(second.npm);
    expect(second.npm.output).toMatch(/connector shut down/);
    await expectAllReleased(second.npm, second.info, dataDir);
  }, 360_000);
});
