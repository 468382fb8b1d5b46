import { describe, expect, it } from '@jest/globals';
import type { GroupAssignment } from '../../../lib/connectors/message-subscriber.js';
import { PollingSubscriber } from '../../../lib/connectors/polling-subscriber.js';
import type { PollInput } from '../../../lib/protocol/iggy-session.js';
import { FakeSession, message } from './fake-session.js';

function logOf(n: number): ReturnType<typeof message>[] {
  return Array.from({ length: n }, (_, i) => message(BigInt(i)));
}

async function waitUntil(check: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(2);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('PollingSubscriber, group assignment', () => {
  const assignmentSubscriber = (
    source: FakeSession,
    options?: ConstructorParameters<typeof PollingSubscriber>[2],
  ) =>
    new PollingSubscriber(
      source,
      {
        stream: 's',
        topic: 't',
        target: { kind: 'group', group: 'g', partitionsCount: 2, floors: new Map() },
        batchSize: 3,
        pollIntervalMs: 5,
        assignmentCheckMs: 10,
      },
      options,
    );

  it('reads the group only while a listener is registered: no reads, no timer, without one', async () => {
    const source = new FakeSession([logOf(1), []]);
    const sub = assignmentSubscriber(source);
    expect((await sub.recv())!.offset).toBe(0n);
    const afterJoin = source.groupReads;
    expect(afterJoin).toBe(2); // the join's own look-ups of the group, just before and just after it
    await sleep(60);
    expect(source.groupReads).toBe(afterJoin);
    const stop = sub.onAssignment(() => undefined);
    await sleep(60);
    expect(source.groupReads).toBeGreaterThan(afterJoin + 2);
    stop();
    await sleep(15);
    const stopped = source.groupReads;
    await sleep(60);
    expect(source.groupReads).toBe(stopped);
    await sub.close();
  });

  it('tells its member from one that joined at the same time by a partition it polled, then follows changes', async () => {
    const source = new FakeSession([[], logOf(2)]);
    source.owned = [1];
    source.joinConsumerGroup = async () => {
      source.members = [
        { id: 0, partitions: [0] },
        { id: 1, partitions: [1] },
      ];
    };
    const sub = assignmentSubscriber(source);
    const seen: GroupAssignment[] = [];
    sub.onAssignment((assignment) => seen.push(assignment));
    await sleep(40);
    expect(seen).toEqual([]); // not polled yet, and not told apart after joining: both members are new
    expect((await sub.recv())!.partition).toBe(1);
    await waitUntil(() => seen.length === 1);
    expect(seen[0]).toEqual({ partitions: [1], previous: null });
    source.members = [{ id: 1, partitions: [0, 1] }]; // the other member left
    await waitUntil(() => seen.length === 2);
    expect(seen[1]).toEqual({ partitions: [0, 1], previous: [1] });
    await sleep(40);
    expect(seen).toHaveLength(2); // an unchanged set is no rebalance
    await sub.close();
  });

  it('tells its member apart from one that joined after it, before anyone listened', async () => {
    const source = new FakeSession([logOf(1), []]);
    source.members = [{ id: 0, partitions: [0, 1] }];
    source.joinConsumerGroup = async () => {
      source.members = [
        { id: 0, partitions: [0] },
        { id: 1, partitions: [1] },
      ];
    };
    const sub = assignmentSubscriber(source);
    await sub.recv(); // joins
    source.members.push({ id: 2, partitions: [] }); // joined later: not a candidate
    const seen: GroupAssignment[] = [];
    sub.onAssignment((assignment) => seen.push(assignment));
    await waitUntil(() => seen.length === 1);
    expect(seen[0]).toEqual({ partitions: [1], previous: null });
    await sub.close();
  });

  it('after a session loss, rejoins and tells its new member apart by the ids present before the re-join', async () => {
    const source = new FakeSession([logOf(1), logOf(1)]);
    source.members = [{ id: 0, partitions: [0, 1] }];
    const sub = assignmentSubscriber(source, { joined: { membersBefore: [] } });
    const seen: GroupAssignment[] = [];
    sub.onAssignment((assignment) => seen.push(assignment));
    await waitUntil(() => seen.length === 1);
    expect(seen[0]).toEqual({ partitions: [0, 1], previous: null });
    // The connection drops: the server forgets member 0; another client joined as 0 meanwhile.
    source.epoch++;
    source.members = [{ id: 0, partitions: [0, 1] }];
    source.owned = [0];
    source.joinConsumerGroup = async () => {
      source.members = [
        { id: 0, partitions: [1] },
        { id: 1, partitions: [0] },
      ];
    };
    await sleep(40);
    expect(seen).toHaveLength(1); // nothing read over the lost membership
    await sub.recv();
    await waitUntil(() => seen.length === 2);
    expect(seen[1]).toEqual({ partitions: [0], previous: [0, 1] });
    await sub.close();
  });
});

/** Counts the polls of each round (a round's polls are all sent in one go, rounds macrotasks apart). */
class RoundCountingSession extends FakeSession {
  readonly rounds: number[] = [];
  private inRound = false;

  override pollMessages(request: PollInput): ReturnType<FakeSession['pollMessages']> {
    if (!this.inRound) {
      this.rounds.push(0);
      this.inRound = true;
      setImmediate(() => (this.inRound = false));
    }
    this.rounds[this.rounds.length - 1]!++;
    return super.pollMessages(request);
  }
}

describe('PollingSubscriber, group member over the network', () => {
  it('polls next once per partition it owns, and once more: all of the topic at first and after it gained partitions', async () => {
    const source = new RoundCountingSession(Array.from({ length: 8 }, () => []));
    source.owned = [1, 5];
    const sub = new PollingSubscriber(source, {
      stream: 's',
      topic: 't',
      target: { kind: 'group', group: 'g', partitionsCount: 8, floors: new Map() },
      batchSize: 3,
      pollIntervalMs: 2,
    });
    const pending = sub.recv();
    try {
      await waitUntil(() => source.rounds.length >= 4);
      expect(source.rounds.slice(0, 4)).toEqual([8, 3, 3, 3]);

      let mark = source.rounds.length;
      source.owned = [1, 2, 5, 6, 7]; // gained three: the next round's polls all name new partitions
      await waitUntil(() => source.rounds.length >= mark + 4);
      expect(source.rounds.slice(mark, mark + 4)).toEqual([3, 8, 6, 6]);

      mark = source.rounds.length;
      source.owned = [4]; // lost four
      await waitUntil(() => source.rounds.length >= mark + 3);
      expect(source.rounds.slice(mark, mark + 3)).toEqual([6, 2, 2]);

      source.append(4, 1);
      expect((await pending)!.partition).toBe(4);
    } finally {
      await sub.close();
    }
  });
});
