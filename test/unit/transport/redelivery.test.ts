import { describe, expect, it } from '@jest/globals';
import { PartitionStalls, type StalledPartition } from '../../../lib/consumer/redelivery.js';

const retry = { attempts: 3, initialDelayMs: 5, maxDelayMs: 20, multiplier: 2, jitter: 0 };

describe('PartitionStalls', () => {
  it('tries a failing message again with the backoff until it passes, listing its partition meanwhile', async () => {
    const stalls = new PartitionStalls(retry);
    const seen: { stall: StalledPartition; delay: number; listed: StalledPartition[] }[] = [];
    let tries = 0;
    const handled = await stalls.untilHandled(
      { partition: 2, offset: 7n },
      async () => {
        if (++tries < 3) throw new TypeError(`broken ${tries}`);
      },
      {
        signal: new AbortController().signal,
        stopped: () => false,
        onFailure: (stall, delay) => seen.push({ stall, delay, listed: stalls.list() }),
      },
    );
    expect(handled).toBe(true);
    expect(tries).toBe(3);
    expect(seen.map((s) => [s.stall.failures, s.delay, s.stall.error])).toEqual([
      [1, 5, 'TypeError: broken 1'],
      [2, 10, 'TypeError: broken 2'],
    ]);
    expect(seen[1]!.listed).toEqual([expect.objectContaining({ partition: 2, offset: 7n, failures: 2 })]);
    expect(seen[1]!.stall.since).toBe(seen[0]!.stall.since);
    expect(stalls.list()).toEqual([]);
  });

  it('gives up when the consumer stops: the wait is cut short and the message stays unhandled', async () => {
    const stalls = new PartitionStalls({ ...retry, initialDelayMs: 60_000, maxDelayMs: 60_000 });
    const stop = new AbortController();
    const started = Date.now();
    const handled = await stalls.untilHandled(
      { partition: 0, offset: 0n },
      async () => {
        throw { status: 'error', message: 'Internal server error' };
      },
      { signal: stop.signal, stopped: () => stop.signal.aborted, onFailure: () => stop.abort() },
    );
    expect(handled).toBe(false);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(stalls.list()).toEqual([expect.objectContaining({ error: 'Internal server error' })]);
  });
});
