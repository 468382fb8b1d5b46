import { describe, expect, it } from '@jest/globals';
import type { ReceivedMessage } from '../../../lib/connectors/message-subscriber.js';
import { OffsetCommits } from '../../../lib/consumer/offset-commits.js';
import { deferred, msg, sleep, waitFor } from './consumer-kit.js';

/** A store that records `partition@offset` of every commit, and fails when `failing` says so. */
function recorder(failing: (m: ReceivedMessage) => boolean = () => false) {
  const stored: string[] = [];
  const errors: string[] = [];
  const store = async (m: ReceivedMessage): Promise<void> => {
    if (failing(m)) throw new Error(`store of ${m.partition}@${m.offset} failed`);
    stored.push(`${m.partition}@${m.offset}`);
  };
  const onError = (error: unknown): void => void errors.push((error as Error).message);
  return { stored, errors, store, onError };
}

const lazy = { every: 1_000, intervalMs: 60_000 };

describe('OffsetCommits: the highest contiguous handled offset per partition', () => {
  it('commits each partition up to its first unhandled message, whatever order they complete in', async () => {
    const { stored, store, onError } = recorder();
    const commits = new OffsetCommits(store, lazy, onError);
    const p0 = [0n, 1n, 2n].map((o) => msg(0, o));
    const p1 = [0n, 1n].map((o) => msg(1, o));
    for (const m of [...p0, ...p1]) commits.delivered(m);

    commits.handled(p0[1]!); // before its predecessor
    commits.handled(p1[1]!);
    commits.handled(p1[0]!);
    await commits.flush();
    expect(stored).toEqual(['1@1']); // partition 0 waits for offset 0
    expect(commits.offsets(0)).toEqual({ handled: null, committed: null });

    commits.handled(p0[0]!);
    await commits.flush();
    expect(stored).toEqual(['1@1', '0@1']); // 0 and 1 now contiguous; 2 still out
    commits.handled(p0[2]!);
    await commits.flush();
    expect(stored).toEqual(['1@1', '0@1', '0@2']);
    expect(commits.offsets(0)).toEqual({ handled: 2n, committed: 2n });
    await commits.flush();
    expect(stored).toHaveLength(3); // nothing new: nothing stored again
  });

  it('never commits past a message that has not passed (failing, or dropped at stop)', async () => {
    const { stored, store, onError } = recorder();
    const commits = new OffsetCommits(store, { every: 1, intervalMs: 5 }, onError);
    const messages = [0n, 1n, 2n, 3n].map((o) => msg(4, o));
    for (const m of messages) commits.delivered(m);
    commits.handled(messages[0]!);
    commits.handled(messages[2]!);
    commits.handled(messages[3]!); // offset 1 keeps failing: 2 and 3 are handled but not contiguous
    await commits.flush();
    await new Promise((r) => setTimeout(r, 20));
    expect(stored).toEqual(['4@0']);
  });

  it('commits every N messages without waiting for the interval, one commit per partition at a time, the newest winning', async () => {
    const gates: { resolve: () => void }[] = [];
    const calls: string[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const store = async (m: ReceivedMessage): Promise<void> => {
      calls.push(`${m.partition}@${m.offset}`);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const gate = deferred();
      gates.push(gate);
      await gate.promise;
      inFlight--;
    };
    const commits = new OffsetCommits(store, { every: 2, intervalMs: 60_000 }, () => undefined);
    const messages = [0n, 1n, 2n, 3n, 4n, 5n].map((o) => msg(0, o));
    for (const m of messages) commits.delivered(m);
    commits.handled(messages[0]!);
    expect(calls).toEqual([]); // one message: below N, the interval is a minute away
    commits.handled(messages[1]!);
    expect(calls).toEqual(['0@1']); // N reached: started at once, in the background
    for (const m of messages.slice(2)) commits.handled(m); // N reached twice more while one is in flight
    expect(calls).toEqual(['0@1']);
    gates.shift()!.resolve();
    await waitFor(() => calls.length === 2);
    expect(calls).toEqual(['0@1', '0@5']); // the newest covers the ones before
    gates.shift()!.resolve();
    await commits.flush();
    expect(maxInFlight).toBe(1);
    expect(commits.offsets(0).committed).toBe(5n);
  });

  it('commits what was handled within the interval when fewer than N come', async () => {
    const { stored, store, onError } = recorder();
    const commits = new OffsetCommits(store, { every: 1_000, intervalMs: 20 }, onError);
    const [a, b] = [msg(0, 0n), msg(3, 7n)];
    commits.delivered(a);
    commits.delivered(b);
    commits.handled(a);
    commits.handled(b);
    expect(stored).toEqual([]);
    await waitFor(() => stored.length === 2, 2_000);
    expect(stored.sort()).toEqual(['0@0', '3@7']);
  });

  it('a failed commit is reported and retried by the next one, even when no message comes', async () => {
    let failures = 1;
    const { stored, errors, store, onError } = recorder(() => failures-- > 0);
    const commits = new OffsetCommits(store, { every: 1, intervalMs: 10 }, onError);
    const m = msg(2, 9n);
    commits.delivered(m);
    commits.handled(m);
    await waitFor(() => stored.length === 1, 2_000);
    expect(errors).toEqual(['store of 2@9 failed']);
    expect(stored).toEqual(['2@9']);
    expect(commits.offsets(2).committed).toBe(9n);
  });

  it('a partition whose commits keep failing (taken over by another member) is retried a few times, not forever', async () => {
    const { stored, errors, store, onError } = recorder((m) => m.partition === 1);
    const commits = new OffsetCommits(store, { every: 1_000, intervalMs: 5 }, onError);
    const lost = msg(1, 0n);
    commits.delivered(lost);
    commits.handled(lost);
    await waitFor(() => errors.length === 4); // the first try and three on the timer
    await sleep(50);
    expect(errors).toHaveLength(4);
    // Another partition's commits go on, and do not retry the lost one each time.
    for (let o = 0n; o < 5n; o++) {
      const m = msg(0, o);
      commits.delivered(m);
      commits.handled(m);
      await sleep(10);
    }
    expect(stored.at(-1)).toBe('0@4');
    expect(errors).toHaveLength(4);
    await commits.flush(); // the final flush tries it once more
    expect(errors).toHaveLength(5);
  });

  it('stop: flush stores the last contiguous points; after close nothing more is committed', async () => {
    const { stored, store, onError } = recorder();
    const commits = new OffsetCommits(store, lazy, onError);
    const messages = [0n, 1n].map((o) => msg(0, o));
    for (const m of messages) commits.delivered(m);
    commits.handled(messages[0]!);
    await commits.flush();
    expect(stored).toEqual(['0@0']);
    commits.close();
    commits.handled(messages[1]!); // a handler that outlived the shutdown
    await commits.flush();
    expect(stored).toEqual(['0@0']);
  });

  it('a partition delivered again from a lower offset (its log was cut, or it is read again) commits from there', async () => {
    const { stored, store, onError } = recorder();
    const commits = new OffsetCommits(store, lazy, onError);
    const before = [8n, 9n].map((o) => msg(0, o));
    for (const m of before) commits.delivered(m);
    for (const m of before) commits.handled(m);
    await commits.flush();
    expect(stored).toEqual(['0@9']);

    const after = [0n, 1n].map((o) => msg(0, o)); // the server lost offsets up to 9; these are new
    for (const m of after) commits.delivered(m);
    commits.handled(before[1]!); // a late handled call of the old tracking changes nothing
    commits.handled(after[0]!);
    await commits.flush();
    expect(stored).toEqual(['0@9', '0@0']);
    commits.handled(after[1]!);
    await commits.flush();
    expect(stored).toEqual(['0@9', '0@0', '0@1']);
    expect(commits.offsets(0)).toEqual({ handled: 1n, committed: 1n });
  });
});
