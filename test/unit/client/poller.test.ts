import { afterEach, describe, expect, it } from '@jest/globals';
import { IggyClient, Poller, type ConsumedMessage } from '../../../lib/client/index.js';
import { CommandCode } from '../../../lib/protocol/codes/command-codes.js';
import { IggyErrorCode } from '../../../lib/protocol/codes/error-codes.js';
import {
  createConsumerGroupCodec,
  joinConsumerGroupCodec,
} from '../../../lib/protocol/commands/consumer-groups/index.js';
import { storeOffsetCodec } from '../../../lib/protocol/commands/consumer-offsets/index.js';
import {
  pollMessagesCodec,
  type PollMessagesRequest,
} from '../../../lib/protocol/commands/messages/index.js';
import { encodeResponseFrame } from '../../../lib/protocol/framing.js';
import type { PolledMessage } from '../../../lib/protocol/messages/message-batch.js';
import { PollingStrategy } from '../../../lib/protocol/primitives/polling-strategy.js';
import { FakeIggyPeer, type PeerHandler } from '../../support/fake-iggy-peer.js';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function setup(options: ConstructorParameters<typeof IggyClient>[0] = {}) {
  const peer = await FakeIggyPeer.start();
  const client = new IggyClient({ addresses: [peer.address], ...options });
  cleanup.push(() => peer.close());
  cleanup.push(() => client.close());
  await client.connect();
  return { peer, client };
}

function message(offset: bigint, text: string): PolledMessage {
  return {
    checksum: 0n,
    id: offset + 1n,
    offset,
    timestamp: 1_700_000_000_000_000n,
    originTimestamp: 0n,
    headers: [],
    payload: Buffer.from(text),
  };
}

/** A peer that serves `log` of partition `partition` to polls (offset, first, next as stored) and records polls. */
function logServer(
  log: string[],
  partition = 3,
): { handler: PeerHandler; polls: PollMessagesRequest[]; stored: bigint[] } {
  const polls: PollMessagesRequest[] = [];
  const stored: bigint[] = [];
  const handler: PeerHandler = (r) => {
    if (r.code === CommandCode.StoreOffset) {
      stored.push(storeOffsetCodec.decodeRequest(r.payload).offset);
      return encodeResponseFrame(0);
    }
    if (r.code !== CommandCode.PollMessages) return encodeResponseFrame(0);
    const poll = pollMessagesCodec.decodeRequest(r.payload);
    polls.push(poll);
    const next = stored.length > 0 ? Number(stored.at(-1)!) + 1 : 0;
    const from = poll.strategy.kind === 1 ? Number(poll.strategy.value) : poll.strategy.kind === 5 ? next : 0;
    const slice = log.slice(from, from + poll.count).map((t, i) => message(BigInt(from + i), t));
    if (poll.autoCommit && slice.length > 0) stored.push(slice.at(-1)!.offset);
    const payload = pollMessagesCodec.encodeResponse({
      partitionId: partition,
      currentOffset: BigInt(Math.max(0, log.length - 1)),
      messages: slice,
    });
    return encodeResponseFrame(0, payload);
  };
  return { handler, polls, stored };
}

async function take(
  poller: Poller,
  n: number,
  onMessage?: (m: ConsumedMessage) => Promise<void>,
): Promise<ConsumedMessage[]> {
  const out: ConsumedMessage[] = [];
  for await (const m of poller) {
    out.push(m);
    await onMessage?.(m);
    if (out.length === n) break;
  }
  return out;
}

describe('Poller', () => {
  it('yields messages in order with their partition id and continues after the last one seen', async () => {
    const { peer, client } = await setup();
    const log = logServer(['a', 'b', 'c', 'd', 'e']);
    peer.handler = log.handler;
    const poller = new Poller(client, {
      streamId: 's',
      topicId: 't',
      consumer: { consumerId: 42 },
      strategy: PollingStrategy.first(),
      count: 2,
    });
    const got = await take(poller, 5);
    expect(got.map((m) => m.payload.toString())).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(got.every((m) => m.partitionId === 3)).toBe(true);
    expect(log.polls[0]).toMatchObject({
      consumer: { kind: 1, id: 42 },
      partitionId: 0,
      strategy: { kind: 3 },
      count: 2,
      autoCommit: false,
    });
    expect(log.polls.slice(1).map((p) => p.strategy)).toEqual([
      { kind: 1, value: 2n },
      { kind: 1, value: 4n },
    ]);
    expect(log.stored).toEqual([]);
    await poller.stop();
  });

  it('commit(message) stores the offset for the message partition (at-least-once)', async () => {
    const { peer, client } = await setup();
    const log = logServer(['a', 'b', 'c']);
    peer.handler = log.handler;
    const poller = new Poller(client, { streamId: 1, topicId: 1, consumer: { consumerId: 'svc' } });
    await take(poller, 3, (m) => poller.commit(m));
    expect(log.stored).toEqual([0n, 1n, 2n]);
    const store = storeOffsetCodec.decodeRequest(peer.requestsWith(CommandCode.StoreOffset)[0]!.payload);
    expect(store).toMatchObject({ consumer: { kind: 1, id: 'svc' }, partitionId: 3, offset: 0n });
  });

  it('joins the group first, polls next without a partition, auto-commits, and leaves on stop', async () => {
    const { peer, client } = await setup();
    const log = logServer(['a', 'b', 'c']);
    peer.handler = log.handler;
    const poller = new Poller(client, {
      streamId: 's',
      topicId: 't',
      consumer: { groupId: 'g' },
      commit: 'auto',
      strategy: PollingStrategy.first(), // ignored for a group: its stored offsets drive it
      count: 2,
    });
    const got = await take(poller, 3);
    expect(got.map((m) => m.payload.toString())).toEqual(['a', 'b', 'c']);
    const codes = peer.received.map((r) => r.code);
    expect(codes[0]).toBe(CommandCode.JoinConsumerGroup);
    expect(joinConsumerGroupCodec.decodeRequest(peer.received[0]!.payload)).toEqual({
      streamId: 's',
      topicId: 't',
      groupId: 'g',
    });
    expect(log.polls[0]).toMatchObject({
      consumer: { kind: 2, id: 'g' },
      partitionId: null,
      strategy: { kind: 5 },
      autoCommit: true,
    });
    expect(log.polls.every((p) => p.strategy.kind === 5)).toBe(true);
    await poller.stop();
    expect(peer.received.at(-1)!.code).toBe(CommandCode.LeaveConsumerGroup);
  });

  it('creates a missing group when asked to', async () => {
    const { peer, client } = await setup();
    const log = logServer(['a']);
    let joins = 0;
    peer.handler = (r, c) => {
      if (r.code === CommandCode.JoinConsumerGroup && joins++ === 0) {
        return encodeResponseFrame(IggyErrorCode.ConsumerGroupNameNotFound);
      }
      if (r.code === CommandCode.CreateConsumerGroup) {
        const group = { id: 0, partitionsCount: 1, membersCount: 0, name: 'new', members: [] };
        return encodeResponseFrame(0, createConsumerGroupCodec.encodeResponse(group));
      }
      return log.handler(r, c);
    };
    const poller = new Poller(client, {
      streamId: 's',
      topicId: 't',
      consumer: { groupId: 'new', createGroup: true },
    });
    await take(poller, 1);
    expect(peer.received.slice(0, 3).map((r) => r.code)).toEqual([
      CommandCode.JoinConsumerGroup,
      CommandCode.CreateConsumerGroup,
      CommandCode.JoinConsumerGroup,
    ]);
    await poller.stop();
  });

  it('waits intervalMs after an empty poll instead of spinning', async () => {
    const { peer, client } = await setup();
    const log = logServer([]);
    peer.handler = log.handler;
    const poller = new Poller(client, {
      streamId: 1,
      topicId: 1,
      consumer: { consumerId: 1 },
      intervalMs: 100,
    });
    const iterating = take(poller, 1);
    await new Promise((r) => setTimeout(r, 350));
    await poller.stop();
    await expect(iterating).resolves.toEqual([]);
    expect(log.polls.length).toBeGreaterThanOrEqual(2);
    expect(log.polls.length).toBeLessThanOrEqual(5);
  });

  it('rejoins the group after a reconnect and keeps iterating', async () => {
    const { peer, client } = await setup({ reconnect: { initialDelayMs: 10 } });
    const log = logServer(['a', 'b', 'c', 'd']);
    peer.handler = log.handler;
    const poller = new Poller(client, {
      streamId: 's',
      topicId: 't',
      consumer: { groupId: 'g' },
      count: 2,
      intervalMs: 10,
    });
    const got = await take(poller, 4, async (m) => {
      await poller.commit(m);
      if (m.offset === 1n) peer.dropConnections();
    });
    expect(got.map((m) => m.payload.toString())).toEqual(['a', 'b', 'c', 'd']);
    const joins = peer.requestsWith(CommandCode.JoinConsumerGroup).map((r) => r.connection);
    expect(joins).toEqual([0, 1]);
    await poller.stop();
  });

  it('throws a server error out of the iteration', async () => {
    const { peer, client } = await setup();
    peer.handler = () => encodeResponseFrame(IggyErrorCode.TopicIdNotFound);
    const poller = new Poller(client, { streamId: 1, topicId: 1, consumer: { consumerId: 1 } });
    await expect(take(poller, 1)).rejects.toMatchObject({ code: IggyErrorCode.TopicIdNotFound });
  });
});
