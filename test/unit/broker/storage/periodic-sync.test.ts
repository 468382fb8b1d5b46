import { describe, expect, it } from '@jest/globals';
import { PeriodicSync } from '../../../../lib/broker/storage/periodic-sync.js';
import { silentStorageLogger } from '../../../../lib/broker/storage/storage-logger.js';

const quiet = silentStorageLogger;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('PeriodicSync', () => {
  it('fsyncs what was written on its tick, and nothing when nothing was', async () => {
    let syncs = 0;
    const periodic = new PeriodicSync(10, async () => void syncs++, quiet);
    await sleep(40);
    expect(syncs).toBe(0);
    periodic.written();
    await sleep(40);
    expect(syncs).toBe(1);
    await periodic.stop();
  });

  it('runs the fsyncs of all logs one at a time, however many come due together', async () => {
    let running = 0;
    let most = 0;
    const done: number[] = [];
    const syncs = Array.from({ length: 8 }, (_, i) => {
      const periodic = new PeriodicSync(
        10,
        async () => {
          most = Math.max(most, ++running);
          await sleep(5);
          running--;
          done.push(i);
        },
        quiet,
      );
      periodic.written();
      return periodic;
    });
    await sleep(120);
    expect(done.sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(most).toBe(1);
    await Promise.all(syncs.map((s) => s.stop()));
  });

  it('tries a failed fsync again on a later tick', async () => {
    let calls = 0;
    const periodic = new PeriodicSync(
      10,
      async () => {
        if (++calls === 1) throw new Error('EIO');
      },
      quiet,
    );
    periodic.written();
    await sleep(60);
    expect(calls).toBe(2);
    await periodic.stop();
  });
});
