import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { BrokerSession } from '../../../lib/broker/broker-session.js';
import type { Broker } from '../../../lib/broker/broker.js';
import { ConsumerKind, PartitioningKind, PollingKind } from '../../../lib/broker/types.js';
import { batch, expectCode, login, memoryBroker, payloads, pollBytes } from './broker-kit.js';
import { MessageRun } from '../../../lib/protocol/messages/message-run.js';

const group = { kind: ConsumerKind.ConsumerGroup, id: 'workers' } as const;
const next = { kind: PollingKind.Next, value: 0n } as const;

describe('Broker: consumer groups', () => {
  let broker: Broker;
  let root: BrokerSession;
  let a: BrokerSession;
  let b: BrokerSession;

  const members = async () =>
    Object.fromEntries(
      (await root.getConsumerGroup({ streamId: 's', topicId: 't', groupId: 'workers' }))!.members.map((m) => [
        m.clientId,
        m.partitions,
      ]),
    );
  const pollAs = (client: BrokerSession, partitionId: number | null = null, autoCommit = true) =>
    pollBytes(client, {
      streamId: 's',
      topicId: 't',
      consumer: group,
      partitionId,
      strategy: next,
      count: 10,
      autoCommit,
    });

  beforeEach(async () => {
    ({ broker, root } = await memoryBroker());
    await root.createStream({ name: 's' });
    await root.createTopic({ streamId: 's', name: 't', partitionsCount: 4 });
    for (let p = 0; p < 4; p++) {
      await root.sendMessages({
        streamId: 's',
        topicId: 't',
        partitioning: { kind: PartitioningKind.PartitionId, partitionId: p },
        messages: new MessageRun(batch([`p${p}`]), 1),
      });
    }
    a = await login(broker, 'iggy', 'iggy');
    b = await login(broker, 'iggy', 'iggy');
  });
  afterEach(() => broker.close());

  it('creates, gets, lists and deletes groups; ids like the real server', async () => {
    const created = await root.createConsumerGroup({ streamId: 's', topicId: 't', name: 'workers' });
    expect(created).toEqual({ id: 0, name: 'workers', partitionsCount: 4, membersCount: 0, members: [] });
    expect((await root.createConsumerGroup({ streamId: 's', topicId: 't', name: 'other' })).id).toBe(1);
    expect((await root.getConsumerGroups({ streamId: 's', topicId: 't' })).map((g) => g.name)).toEqual([
      'workers',
      'other',
    ]);
    expect((await root.getConsumerGroup({ streamId: 's', topicId: 't', groupId: 1 }))?.name).toBe('other');
    expect(await root.getConsumerGroup({ streamId: 's', topicId: 't', groupId: 'missing' })).toBeNull();
    expect(await root.getConsumerGroups({ streamId: 's', topicId: 'missing' })).toEqual([]);
    await expectCode(
      root.createConsumerGroup({ streamId: 's', topicId: 't', name: 'workers' }),
      'ConsumerGroupNameAlreadyExists',
    );
    await expectCode(
      root.createConsumerGroup({ streamId: 's', topicId: 't', name: '' }),
      'InvalidConsumerGroupName',
    );
    await expectCode(root.createConsumerGroup({ streamId: 's', topicId: 'x', name: 'g' }), 'TopicIdNotFound');
    await root.deleteConsumerGroup({ streamId: 's', topicId: 't', groupId: 0 });
    await expectCode(
      root.deleteConsumerGroup({ streamId: 's', topicId: 't', groupId: 0 }),
      'ConsumerGroupIdNotFound',
    );
    expect((await root.createConsumerGroup({ streamId: 's', topicId: 't', name: 'again' })).id).toBe(0);
  });

  describe('membership', () => {
    beforeEach(async () => {
      await root.createConsumerGroup({ streamId: 's', topicId: 't', name: 'workers' });
    });

    it('join assigns partitions; a second member takes over never-polled partitions at once', async () => {
      await a.joinConsumerGroup({ streamId: 's', topicId: 't', groupId: 'workers' });
      expect(await members()).toEqual({ [a.clientId]: [0, 1, 2, 3] });
      await a.joinConsumerGroup({ streamId: 's', topicId: 't', groupId: 'workers' }); // idempotent
      await b.joinConsumerGroup({ streamId: 's', topicId: 't', groupId: 'workers' });
      expect(await members()).toEqual({ [a.clientId]: [0, 1], [b.clientId]: [3, 2] });
      expect(
        (await root.getConsumerGroup({ streamId: 's', topicId: 't', groupId: 'workers' }))!.membersCount,
      ).toBe(2);
      expect((await a.getMe()).consumerGroups).toEqual([{ streamId: 0, topicId: 0, groupId: 0 }]);
    });

    it('a member polls its partitions in rotation, one per poll, from the group offset', async () => {
      await a.joinConsumerGroup({ streamId: 's', topicId: 't', groupId: 'workers' });
      const seen: string[] = [];
      for (let i = 0; i < 4; i++) seen.push(...payloads((await pollAs(a)).messages));
      expect(seen).toEqual(['p0', 'p1', 'p2', 'p3']);
      expect((await pollAs(a)).count).toBe(0);
      const offset = await root.getOffset({
        streamId: 's',
        topicId: 't',
        consumer: group,
        partitionId: 2,
      });
      expect(offset?.storedOffset).toBe(0n);
    });

    it('leave and disconnect re-deal every partition; the new owner resumes from the group offset', async () => {
      await a.joinConsumerGroup({ streamId: 's', topicId: 't', groupId: 'workers' });
      await b.joinConsumerGroup({ streamId: 's', topicId: 't', groupId: 'workers' });
      expect(payloads((await pollAs(b)).messages)).toEqual(['p3']);
      await b.leaveConsumerGroup({ streamId: 's', topicId: 't', groupId: 'workers' });
      expect(await members()).toEqual({ [a.clientId]: [0, 1, 2, 3] });
      expect((await b.getMe()).consumerGroups).toEqual([]);
      await expectCode(
        () => b.leaveConsumerGroup({ streamId: 's', topicId: 't', groupId: 'workers' }),
        'ConsumerGroupMemberNotFound',
      );
      const seen: string[] = [];
      for (let i = 0; i < 4; i++) seen.push(...payloads((await pollAs(a)).messages));
      expect(seen.sort()).toEqual(['p0', 'p1', 'p2']); // p3 was consumed (auto-commit) by b

      await b.joinConsumerGroup({ streamId: 's', topicId: 't', groupId: 'workers' });
      const c = await login(broker, 'iggy', 'iggy');
      await c.joinConsumerGroup({ streamId: 's', topicId: 't', groupId: 'workers' });
      await a.close();
      expect(await members()).toEqual({ [b.clientId]: [0, 2], [c.clientId]: [1, 3] });
    });

    it('a polled partition stays with its member until the group commits it', async () => {
      await a.joinConsumerGroup({ streamId: 's', topicId: 't', groupId: 'workers' });
      for (let i = 0; i < 4; i++) await pollAs(a, null, false);
      await b.joinConsumerGroup({ streamId: 's', topicId: 't', groupId: 'workers' });
      expect(await members()).toEqual({ [a.clientId]: [0, 1, 2, 3], [b.clientId]: [] });
      expect(await pollAs(b)).toMatchObject({ partitionId: 0, count: 0 });
      await a.storeOffset({
        streamId: 's',
        topicId: 't',
        consumer: group,
        partitionId: 3,
        offset: 0n,
      });
      expect(await members()).toEqual({ [a.clientId]: [0, 1, 2], [b.clientId]: [3] });
    });

    it('forces the hand-over after the rebalancing timeout', async () => {
      await broker.close();
      ({ broker, root } = await memoryBroker({ rebalancingTimeoutMs: 0 }));
      await root.createStream({ name: 's' });
      await root.createTopic({ streamId: 's', name: 't', partitionsCount: 2 });
      await root.createConsumerGroup({ streamId: 's', topicId: 't', name: 'workers' });
      await root.sendMessages({
        streamId: 's',
        topicId: 't',
        partitioning: { kind: PartitioningKind.Balanced },
        messages: new MessageRun(batch(['x']), 1),
      });
      await root.sendMessages({
        streamId: 's',
        topicId: 't',
        partitioning: { kind: PartitioningKind.Balanced },
        messages: new MessageRun(batch(['y']), 1),
      });
      a = await login(broker, 'iggy', 'iggy');
      b = await login(broker, 'iggy', 'iggy');
      await a.joinConsumerGroup({ streamId: 's', topicId: 't', groupId: 'workers' });
      await pollAs(a, null, false);
      await pollAs(a, null, false);
      await b.joinConsumerGroup({ streamId: 's', topicId: 't', groupId: 'workers' });
      expect(await members()).toEqual({ [a.clientId]: [0, 1], [b.clientId]: [] });
      expect(broker.checkRebalanceTimeouts()).toBe(1);
      expect(await members()).toEqual({ [a.clientId]: [0], [b.clientId]: [1] });
    });

    it('a member without partitions gets an empty reply; a non-member is refused', async () => {
      await root.deletePartitions({ streamId: 's', topicId: 't', partitionsCount: 3 });
      await a.joinConsumerGroup({ streamId: 's', topicId: 't', groupId: 'workers' });
      await b.joinConsumerGroup({ streamId: 's', topicId: 't', groupId: 'workers' });
      expect(await members()).toEqual({ [a.clientId]: [0], [b.clientId]: [] });
      expect(await pollAs(b)).toMatchObject({ partitionId: 0, currentOffset: 0n, count: 0 });
      const c = await login(broker, 'iggy', 'iggy');
      await expectCode(pollAs(c), 'ConsumerGroupMemberNotFound');
      await expectCode(
        c.storeOffset({
          streamId: 's',
          topicId: 't',
          consumer: group,
          partitionId: 0,
          offset: 0n,
        }),
        'ConsumerGroupMemberNotFound',
      );
      await expectCode(
        b.storeOffset({
          streamId: 's',
          topicId: 't',
          consumer: group,
          partitionId: null,
          offset: 0n,
        }),
        'NotResolvedConsumer',
      );
    });

    it('explicit partition ids: only the member own ones', async () => {
      await a.joinConsumerGroup({ streamId: 's', topicId: 't', groupId: 'workers' });
      await b.joinConsumerGroup({ streamId: 's', topicId: 't', groupId: 'workers' });
      expect(payloads((await pollAs(b, 2)).messages)).toEqual(['p2']);
      expect(await pollAs(b, 0)).toMatchObject({ partitionId: 0, count: 0, currentOffset: 0n });
    });

    it('a partition count change re-deals the members', async () => {
      await a.joinConsumerGroup({ streamId: 's', topicId: 't', groupId: 'workers' });
      await b.joinConsumerGroup({ streamId: 's', topicId: 't', groupId: 'workers' });
      await root.createPartitions({ streamId: 's', topicId: 't', partitionsCount: 1 });
      expect(await members()).toEqual({ [a.clientId]: [0, 2, 4], [b.clientId]: [1, 3] });
      expect(
        (await root.getConsumerGroup({ streamId: 's', topicId: 't', groupId: 'workers' }))!.partitionsCount,
      ).toBe(5);
    });

    it('deleting the group drops its offsets and memberships', async () => {
      await a.joinConsumerGroup({ streamId: 's', topicId: 't', groupId: 'workers' });
      await pollAs(a);
      await root.deleteConsumerGroup({ streamId: 's', topicId: 't', groupId: 'workers' });
      expect((await a.getMe()).consumerGroups).toEqual([]);
      await root.createConsumerGroup({ streamId: 's', topicId: 't', name: 'workers' });
      const offset = await root.getOffset({
        streamId: 's',
        topicId: 't',
        consumer: group,
        partitionId: 0,
      });
      expect(offset).toBeNull();
    });

    it('join and leave errors', async () => {
      await expectCode(
        () => a.joinConsumerGroup({ streamId: 's', topicId: 't', groupId: 'nope' }),
        'ConsumerGroupIdNotFound',
      );
      await expectCode(
        () => a.joinConsumerGroup({ streamId: 'x', topicId: 't', groupId: 'workers' }),
        'StreamIdNotFound',
      );
      await expectCode(
        () => a.leaveConsumerGroup({ streamId: 's', topicId: 't', groupId: 'workers' }),
        'ConsumerGroupMemberNotFound',
      );
    });
  });
});
