import { describe, expect, it } from '@jest/globals';
import { PollingSubscriber, type SubscriptionTarget } from '../../../lib/connectors/polling-subscriber.js';
import { PollingStrategy } from '../../../lib/protocol/primitives/polling-strategy.js';
import type { ReceivedMessage } from '../../../lib/connectors/message-subscriber.js';
import type { PolledMessage } from '../../../lib/protocol/messages/message-batch.js';
import { FakeSession, message } from './fake-session.js';

/** `n` messages from offset 0; another `idBase` gives other messages at the same offsets (a new log). */
const logOf = (n: number, tag = 'm', idBase = 1000n) =>
  Array.from({ length: n }, (_, i) => message(BigInt(i), `${tag}${i}`, idBase + BigInt(i)));

/** The next `n` messages as `partition:offset:payload`, or a timeout (a subscriber that waits forever). */
async function take(sub: PollingSubscriber, n: number): Promise<string[]> {
  const out: string[] = [];
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), 3_000)));
  try {
    while (out.length < n) {
      const next = await Promise.race([sub.recv(), timeout]);
      if (next === 'timeout') throw new Error(`timed out with ${JSON.stringify(out)}`);
      out.push(`${next!.partition}:${next!.offset}:${next!.payload.toString()}`);
    }
    return out;
  } finally {
    clearTimeout(timer);
  }
}

const group: SubscriptionTarget = { kind: 'group', group: 'g', partitionsCount: 2, floors: new Map() };

const single: SubscriptionTarget = {
  kind: 'partition',
  partition: 0,
  consumerName: 'c',
  initial: PollingStrategy.first(),
};

/** Runs `test` with a subscriber of topic `s/t` (polling every 5 ms when idle) over a fake session of `partitions`. */
async function withSubscriber(
  partitions: PolledMessage[][],
  target: SubscriptionTarget,
  batchSize: number,
  test: (sub: PollingSubscriber, source: FakeSession) => Promise<void>,
): Promise<void> {
  const source = new FakeSession(partitions);
  const sub = new PollingSubscriber(source, {
    stream: 's',
    topic: 't',
    target,
    batchSize,
    pollIntervalMs: 5,
  });
  try {
    await test(sub, source);
  } finally {
    await sub.close();
  }
}

describe('PollingSubscriber, a partition whose log was cut below what it handed out', () => {
  it('a group member reads it again from its first message (a server that lost its tail in a crash)', async () => {
    await withSubscriber([logOf(10), []], group, 5, async (sub, source) => {
      const first = await take(sub, 10);
      source.stored.set('g/0', 9n); // all committed
      expect(first.at(-1)).toBe('0:9:m9');
      // The server restarted without offsets 0..9 and clamped the group's offset to its new end.
      source.partitions[0] = logOf(3, 'new');
      source.stored.set('g/0', 0n);
      expect(await take(sub, 3)).toEqual(['0:0:new0', '0:1:new1', '0:2:new2']);
    });
  });

  it('a single consumer reads it again from its first message', async () => {
    await withSubscriber([logOf(4)], single, 5, async (sub, source) => {
      expect(await take(sub, 4)).toEqual(['0:0:m0', '0:1:m1', '0:2:m2', '0:3:m3']);
      source.partitions[0] = logOf(2, 'new');
      expect(await take(sub, 2)).toEqual(['0:0:new0', '0:1:new1']);
    });
  });

  it('after a lost session too: the group member reads it from its first message, and stores no offset of what it polled before', async () => {
    await withSubscriber([logOf(10), []], { ...group, floors: new Map() }, 5, async (sub, source) => {
      const before: ReceivedMessage[] = [];
      for (let i = 0; i < 10; i++) before.push((await sub.recv())!);
      // The server crashed and restarted without offsets 0..9: the client reconnected (a new session
      // epoch), the group's offset was clamped to the partition's new end, and new messages came.
      source.epoch++;
      source.partitions[0] = logOf(3, 'new', 5000n);
      source.stored.set('g/0', 0n);
      await sub.commit(before[9]!); // a commit of the old session, retried late: it must not land
      expect(source.stored.get('g/0')).toBe(0n);
      expect(await take(sub, 3)).toEqual(['0:0:new0', '0:1:new1', '0:2:new2']);
    });
  });

  it('after a lost session, a partition that grew back past what was handed out is read from its first message', async () => {
    await withSubscriber([logOf(10), []], { ...group, floors: new Map() }, 50, async (sub, source) => {
      expect((await take(sub, 10)).at(-1)).toBe('0:9:m9');
      source.stored.set('g/0', 9n); // all committed
      // The server crashed, lost offsets 0..9, kept the group's offset 9 and took 20 new messages before
      // this member polled again: offsets alone look as if nothing happened.
      source.epoch++;
      source.partitions[0] = logOf(20, 'new', 5000n);
      expect(await take(sub, 20)).toEqual(Array.from({ length: 20 }, (_, i) => `0:${i}:new${i}`));
    });
  });

  it('after a lost session, a partition that still holds what was handed out is read on, not again', async () => {
    await withSubscriber([logOf(10), []], { ...group, floors: new Map() }, 50, async (sub, source) => {
      await take(sub, 10);
      source.stored.set('g/0', 9n);
      source.epoch++; // a reconnect, the server intact: two more messages came meanwhile
      source.partitions[0] = logOf(12);
      expect(await take(sub, 2)).toEqual(['0:10:m10', '0:11:m11']);
    });
  });

  it('a single consumer after a lost session: a partition that grew back is read from its first message', async () => {
    await withSubscriber([logOf(4)], single, 50, async (sub, source) => {
      await take(sub, 4);
      source.epoch++;
      source.partitions[0] = logOf(6, 'new', 5000n);
      expect(await take(sub, 6)).toEqual(Array.from({ length: 6 }, (_, i) => `0:${i}:new${i}`));
    });
  });
});
