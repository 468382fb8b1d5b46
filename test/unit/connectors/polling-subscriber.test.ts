import { describe, expect, it } from '@jest/globals';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { BrokerError } from '../../../lib/broker/broker-error.js';
import { ConnectorError } from '../../../lib/connectors/connector-error.js';
import { PollingSubscriber, type SubscriptionTarget } from '../../../lib/connectors/polling-subscriber.js';
import { IggyErrorCode } from '../../../lib/protocol/codes/error-codes.js';
import { PollingKind, PollingStrategy } from '../../../lib/protocol/primitives/polling-strategy.js';
import { FakeSession, SignallingSession, message } from './fake-session.js';

function logOf(n: number): ReturnType<typeof message>[] {
  return Array.from({ length: n }, (_, i) => message(BigInt(i)));
}

function subscriber(source: FakeSession, target: SubscriptionTarget, batchSize = 3, pollIntervalMs = 5) {
  return new PollingSubscriber(source, { stream: 's', topic: 't', target, batchSize, pollIntervalMs });
}

const single = (initial = PollingStrategy.next()): SubscriptionTarget => ({
  kind: 'partition',
  partition: 0,
  consumerName: 'c1',
  initial,
});
const group = (floors = new Map<number, bigint>(), partitionsCount = 2): SubscriptionTarget => ({
  kind: 'group',
  group: 'g',
  partitionsCount,
  floors,
});

async function take(sub: PollingSubscriber, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const m = await sub.recv();
    out.push(`${m!.partition}:${m!.offset}`);
  }
  return out;
}

describe('PollingSubscriber, single consumer', () => {
  it('starts with the initial strategy, then continues after the last message handed out', async () => {
    const source = new FakeSession([logOf(5)]);
    const sub = subscriber(source, single(PollingStrategy.first()));
    expect(await take(sub, 5)).toEqual(['0:0', '0:1', '0:2', '0:3', '0:4']);
    expect(source.polls.map((p) => [p.partitionId, p.strategy.kind, p.strategy.value])).toEqual([
      [0, PollingKind.First, 0n],
      [0, PollingKind.Offset, 3n],
    ]);
    expect(source.polls[0]!.consumer).toEqual({ kind: 1, id: 'c1' });
    await sub.close();
  });

  it('hands out id, payload, stream, topic and commits through the source', async () => {
    const source = new FakeSession([logOf(2)]);
    const sub = subscriber(source, single());
    const m = (await sub.recv())!;
    expect(m).toMatchObject({ stream: 's', topic: 't', partition: 0, offset: 0n, id: 1000n });
    expect(m.payload.toString()).toBe('m0');
    await sub.commit(m);
    expect(source.stored.get('c1/0')).toBe(0n);
    await sub.close();
  });

  it('waits pollIntervalMs after an empty poll instead of spinning', async () => {
    const source = new FakeSession([[]]);
    const sub = subscriber(source, single(), 3, 40);
    const pending = sub.recv();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(source.polls.length).toBeGreaterThanOrEqual(2);
    expect(source.polls.length).toBeLessThanOrEqual(7);
    source.append(0, 1);
    expect((await pending)!.offset).toBe(0n);
    await sub.close();
  });

  it('resolves a pending recv with null on close, and every later one too', async () => {
    const source = new FakeSession([[]]);
    const sub = subscriber(source, single(), 3, 1_000);
    const pending = sub.recv();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await sub.close();
    expect(await pending).toBeNull();
    expect(await sub.recv()).toBeNull();
    expect(source.closed).toBe(true);
  });

  it('iterates asynchronously until closed', async () => {
    const source = new FakeSession([logOf(4)]);
    const sub = subscriber(source, single());
    const seen: bigint[] = [];
    for await (const m of sub) {
      seen.push(m.offset);
      if (seen.length === 4) void sub.close();
    }
    expect(seen).toEqual([0n, 1n, 2n, 3n]);
  });

  it('retries transient failures and reports others as Receive errors with the Iggy code', async () => {
    const source = new FakeSession([logOf(1)]);
    source.failures = [new Error('transient')];
    const sub = subscriber(source, single());
    expect((await sub.recv())!.offset).toBe(0n);
    source.failures = [new BrokerError(IggyErrorCode.TopicNameNotFound, 'gone')];
    const err = await sub.recv().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectorError);
    expect(err).toMatchObject({ kind: 'Receive', code: IggyErrorCode.TopicNameNotFound });
    await sub.close();
  });

  it('holds nothing it handed out while it stays open, but the batch of its last poll', async () => {
    setFlagsFromString('--expose-gc');
    const collect = runInNewContext('gc') as () => void;
    const source = new FakeSession([logOf(600)]);
    const sub = subscriber(source, single());
    const handedOut: WeakRef<object>[] = [];
    for (let i = 0; i < 200; i++) handedOut.push(new WeakRef((await sub.recvBatch())!));
    await new Promise((resolve) => setImmediate(resolve));
    collect();
    expect(handedOut.slice(0, -1).filter((batch) => batch.deref() !== undefined)).toHaveLength(0);
    await sub.close();
  });

  it('keeps its position across a session loss (nothing handed out twice)', async () => {
    const source = new FakeSession([logOf(6)]);
    const sub = subscriber(source, single());
    expect(await take(sub, 2)).toEqual(['0:0', '0:1']);
    source.epoch++;
    expect(await take(sub, 4)).toEqual(['0:2', '0:3', '0:4', '0:5']);
    await sub.close();
  });
});

describe('PollingSubscriber, group member', () => {
  it('rotates over its partitions with next, without a partition id', async () => {
    const source = new FakeSession([logOf(2), logOf(2)]);
    const sub = subscriber(source, group(), 10);
    expect((await take(sub, 4)).sort()).toEqual(['0:0', '0:1', '1:0', '1:1']);
    const rotating = source.polls.filter((p) => p.partitionId === null);
    expect(rotating.every((p) => p.strategy.kind === PollingKind.Next)).toBe(true);
    expect(rotating.length).toBeGreaterThanOrEqual(2);
    expect(source.joins).toEqual(['g']);
    await sub.close();
    expect(source.leaves).toEqual(['g']);
  });

  it('over the network, polls next once per partition of the topic, together; while what it handed out is uncommitted, for one message each, then reads from the cursor', async () => {
    const source = new FakeSession([logOf(9), []]);
    source.owned = [0]; // of 2: both polls of a round land on partition 0, the second repeats the first
    const sub = subscriber(source, group(), 3);
    expect(await take(sub, 3)).toEqual(['0:0', '0:1', '0:2']);
    expect(source.polls.map((p) => [p.partitionId, p.strategy.kind, p.count])).toEqual([
      [null, PollingKind.Next, 3],
      [null, PollingKind.Next, 3],
    ]);
    expect(await take(sub, 3)).toEqual(['0:3', '0:4', '0:5']);
    expect(
      source.polls.slice(2).map((p) => [p.partitionId, p.strategy.kind, p.strategy.value, p.count]),
    ).toEqual([
      [null, PollingKind.Next, 0n, 1],
      [null, PollingKind.Next, 0n, 1],
      [0, PollingKind.Offset, 3n, 3],
    ]);
    await sub.commit((await sub.recvBatch())![2]!); // 6..8, all stored: next answers from the cursor again
    source.append(0, 3);
    source.polls.length = 0;
    expect(await take(sub, 3)).toEqual(['0:9', '0:10', '0:11']);
    expect(source.polls.map((p) => [p.partitionId, p.strategy.kind, p.count])).toEqual([
      [null, PollingKind.Next, 3],
      [null, PollingKind.Next, 3],
    ]);
    await sub.close();
  });

  it('over the network, one round hands out every partition that has news, each on its own (recvBatch: one partition)', async () => {
    const source = new FakeSession([logOf(2), logOf(2), logOf(2)]);
    const sub = subscriber(source, group(new Map(), 3), 5);
    const first = await sub.recvBatch();
    const polls = source.polls.length;
    const rest = [await sub.recvBatch(), await sub.recvBatch()];
    expect(source.polls.length).toBe(polls); // the other two came with the same round
    const batches = [first!, ...rest.map((b) => b!)];
    expect(batches.map((b) => new Set(b.map((m) => m.partition)).size)).toEqual([1, 1, 1]);
    expect(
      batches
        .map((b) => b.map((m) => `${m.partition}:${m.offset}`))
        .flat()
        .sort(),
    ).toEqual(['0:0', '0:1', '1:0', '1:1', '2:0', '2:1']);
    await sub.close();
  });

  it('over the network, reads no partition whose probe shows nothing appended past the cursor', async () => {
    const source = new FakeSession([logOf(3), logOf(3)]);
    const sub = subscriber(source, group(), 3, 60_000);
    expect((await take(sub, 6)).sort()).toEqual(['0:0', '0:1', '0:2', '1:0', '1:1', '1:2']); // nothing committed
    const mark = source.polls.length;
    source.append(1, 1);
    expect(await take(sub, 1)).toEqual(['1:3']);
    const explicit = source.polls.slice(mark).filter((p) => p.partitionId !== null);
    expect(explicit.map((p) => [p.partitionId, p.strategy.value])).toEqual([[1, 3n]]);
    await sub.close();
  });

  it('in process (its partitions known), reads each partition by id: first from the group’s offset, then from its cursor, never polling next', async () => {
    const source = new SignallingSession([logOf(9), logOf(2)]);
    source.stored.set('g/0', 1n); // the group's offset: partition 0 resumes at 2
    source.owned = [0, 1];
    const sub = subscriber(source, group(), 3);
    const seen = new Set<string>();
    while (seen.size < 9) for (const m of (await sub.recvBatch())!) seen.add(`${m.partition}:${m.offset}`);
    expect([...seen].sort()).toEqual(['0:2', '0:3', '0:4', '0:5', '0:6', '0:7', '0:8', '1:0', '1:1']);
    expect(source.polls.filter((p) => p.partitionId === null)).toEqual([]);
    expect(source.polls.map((p) => [p.partitionId, p.strategy.kind, p.strategy.value])).toEqual([
      [0, PollingKind.Next, 0n],
      [1, PollingKind.Next, 0n],
      [0, PollingKind.Offset, 5n],
      [0, PollingKind.Offset, 8n],
    ]);
    await sub.close();
  });

  it('in process, reads none of the partitions it is handing over, and joins again once it is no member', async () => {
    const source = new SignallingSession([logOf(3), logOf(3)]);
    source.owned = [1]; // partition 0 is being handed over: the broker leaves it out
    const sub = subscriber(source, group(), 3, 60_000);
    expect(await take(sub, 3)).toEqual(['1:0', '1:1', '1:2']);
    expect(source.polls.some((p) => p.partitionId === 0)).toBe(false);
    source.member = false;
    source.owned = [0, 1];
    const pending = sub.recv();
    source.append(0, 0); // wakes it: it finds itself no member and joins again
    await sleep(20);
    source.append(0, 1);
    expect((await pending)!.partition).toBe(0);
    expect(source.joins).toEqual(['g', 'g']);
    await sub.close();
  });

  it('continues from the stored offsets after a session loss: uncommitted messages come again', async () => {
    const source = new FakeSession([logOf(4), []]);
    source.owned = [0];
    const sub = subscriber(source, group(), 2);
    const [first] = await Promise.all([sub.recv(), Promise.resolve()]);
    await sub.commit(first!);
    expect(await take(sub, 1)).toEqual(['0:1']);
    source.epoch++;
    expect(await take(sub, 3)).toEqual(['0:1', '0:2', '0:3']);
    expect(source.joins).toEqual(['g', 'g']);
    await sub.close();
  });

  it('recvBatch hands out what one poll returned and recv did not, one partition in order; then continues after it', async () => {
    const source = new FakeSession([logOf(5), []]);
    source.owned = [0];
    const sub = subscriber(source, group(), 3);
    expect(await take(sub, 1)).toEqual(['0:0']);
    const rest = (await sub.recvBatch())!.map((m) => `${m.partition}:${m.offset}`);
    expect(rest).toEqual(['0:1', '0:2']);
    const next = (await sub.recvBatch())!.map((m) => `${m.partition}:${m.offset}`);
    expect(next).toEqual(['0:3', '0:4']);
    expect(source.polls.find((p) => p.partitionId === 0)?.strategy).toEqual(PollingStrategy.offset(3n));
    const pending = sub.recvBatch();
    await sub.close();
    expect(await pending).toBeNull();
    expect(await sub.recvBatch()).toBeNull();
  });

  it('applies floors: nothing below them is handed out', async () => {
    const source = new FakeSession([logOf(5), logOf(3)]);
    const sub = subscriber(
      source,
      group(
        new Map([
          [0, 3n],
          [1, 3n],
        ]),
      ),
      10,
    );
    expect(await take(sub, 2)).toEqual(['0:3', '0:4']);
    source.append(1, 1);
    expect(await take(sub, 1)).toEqual(['1:3']);
    await sub.close();
  });

  it('joins again when the server says it is no longer a member', async () => {
    const source = new FakeSession([logOf(1)]);
    source.failures = [new BrokerError(IggyErrorCode.ConsumerGroupMemberNotFound, 'evicted')];
    const sub = subscriber(source, group(new Map(), 1));
    expect((await sub.recv())!.offset).toBe(0n);
    expect(source.joins).toEqual(['g', 'g']);
    await sub.close();
  });

  it('rejoins and retries a commit the server refused for lack of membership', async () => {
    const source = new FakeSession([logOf(1)]);
    const sub = subscriber(source, group(new Map(), 1));
    const m = (await sub.recv())!;
    source.storeFailures = [new BrokerError(IggyErrorCode.ConsumerGroupMemberNotFound, 'gone')];
    await sub.commit(m);
    expect(source.stored.get('g/0')).toBe(0n);
    expect(source.joins).toEqual(['g', 'g']);
    source.storeFailures = [new BrokerError(IggyErrorCode.PartitionNotFound, 'no')];
    await expect(sub.commit(m)).rejects.toMatchObject({ kind: 'Receive' });
    await sub.close();
  });

  it('polls a whole round of partitions before waiting', async () => {
    const source = new FakeSession([[], [], [], []]);
    const sub = subscriber(source, group(new Map(), 4), 3, 1_000);
    const pending = sub.recv();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(source.polls).toHaveLength(4);
    source.append(2, 1);
    await sub.close();
    expect(await pending).toBeNull();
  });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('PollingSubscriber, waiting for data', () => {
  it('with an append signal, an idle subscriber is woken by new messages long before pollIntervalMs', async () => {
    const source = new SignallingSession([[], []]);
    const sub = subscriber(source, single(), 3, 60_000);
    const pending = sub.recv();
    await sleep(30);
    const pollsWhileIdle = source.polls.length;
    source.append(1, 1); // another partition: no wake-up for a partition-0 subscriber
    await sleep(30);
    expect(source.polls.length).toBe(pollsWhileIdle);
    source.append(0, 1);
    expect((await pending)!.offset).toBe(0n);
    expect(pollsWhileIdle).toBe(1);
    await sub.close();
    expect(source.watchers).toBe(0);
  });

  it('with an append signal, does not read again a partition it read to its end until something is appended to it', async () => {
    const source = new SignallingSession([logOf(2), logOf(2)]);
    const sub = subscriber(source, group(), 3, 60_000);
    expect((await take(sub, 4)).sort()).toEqual(['0:0', '0:1', '1:0', '1:1']); // nothing committed
    const pending = sub.recv();
    await sleep(30);
    const mark = source.polls.length;
    source.append(1, 1); // wakes it: one partition has more
    const next = (await pending)!;
    expect(`${next.partition}:${next.offset}`).toBe('1:2');
    // Partition 0, read to its end with nothing appended since, is not asked for its messages again.
    expect(source.polls.slice(mark).filter((p) => p.partitionId === 0)).toEqual([]);
    expect(source.polls.slice(mark).filter((p) => p.partitionId === 1)).toHaveLength(1);
    await sub.close();
  });

  it('with an append signal, a group subscriber is woken by an append to any partition', async () => {
    const source = new SignallingSession([[], []]);
    const sub = subscriber(source, group(), 3, 60_000);
    const pending = sub.recv();
    await sleep(30);
    expect(source.polls.length).toBeLessThanOrEqual(2); // one round over both partitions, then waiting
    source.append(1, 2);
    expect((await pending)!.partition).toBe(1);
    await sub.close();
  });

  it('without a signal, waits minPollIntervalMs after messages, doubling on each empty round up to pollIntervalMs', async () => {
    const source = new FakeSession([logOf(1)]);
    const sub = new PollingSubscriber(source, {
      stream: 's',
      topic: 't',
      target: single(),
      batchSize: 3,
      pollIntervalMs: 400,
      minPollIntervalMs: 1,
    });
    expect((await sub.recv())!.offset).toBe(0n);
    const pending = sub.recv();
    await sleep(300);
    // 1 + 2 + 4 + 8 + 16 + 32 + 64 + 128 ms: about 8 empty rounds in 300 ms, against 1 on a fixed
    // 400 ms timer and hundreds on a fixed 1 ms one.
    const emptyRounds = source.polls.length - 1;
    expect(emptyRounds).toBeGreaterThanOrEqual(4);
    expect(emptyRounds).toBeLessThanOrEqual(12);
    source.append(0, 1);
    await sleep(450);
    expect((await pending)!.offset).toBe(1n);
    await sub.close();
  });
});
