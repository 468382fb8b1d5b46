import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { Broker } from '../../../lib/broker/broker.js';
import { ConsumerKind, PartitioningKind, PollingKind } from '../../../lib/broker/types.js';
import { batch, expectCode, login, memoryBroker, payloads } from './broker-kit.js';

const group = { kind: ConsumerKind.ConsumerGroup, id: 'workers' } as const;
const next = { kind: PollingKind.Next, value: 0n } as const;

describe('Broker: consumer groups', () => {
  let broker: Broker;
  let root: number;
  let a: number;
  let b: number;

  const members = () =>
    Object.fromEntries(
      broker.getConsumerGroup(root, 's', 't', 'workers')!.members.map((m) => [m.clientId, m.partitions]),
    );
  const pollAs = (clientId: number, partitionId: number | null = null, autoCommit = true) =>
    broker.pollMessages(clientId, {
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
    await broker.createStream(root, 's');
    await broker.createTopic(root, 's', { name: 't', partitionsCount: 4 });
    for (let p = 0; p < 4; p++) {
      await broker.sendMessages(
        root,
        's',
        't',
        { kind: PartitioningKind.PartitionId, partitionId: p },
        batch([`p${p}`]),
        1,
      );
    }
    a = await login(broker, 'iggy', 'iggy');
    b = await login(broker, 'iggy', 'iggy');
  });
  afterEach(() => broker.close());

  it('creates, gets, lists and deletes groups; ids like the real server', async () => {
    const created = await broker.createConsumerGroup(root, 's', 't', 'workers');
    expect(created).toEqual({ id: 0, name: 'workers', partitionsCount: 4, membersCount: 0, members: [] });
    expect((await broker.createConsumerGroup(root, 's', 't', 'other')).id).toBe(1);
    expect(broker.getConsumerGroups(root, 's', 't').map((g) => g.name)).toEqual(['workers', 'other']);
    expect(broker.getConsumerGroup(root, 's', 't', 1)?.name).toBe('other');
    expect(broker.getConsumerGroup(root, 's', 't', 'missing')).toBeNull();
    expect(broker.getConsumerGroups(root, 's', 'missing')).toEqual([]);
    await expectCode(broker.createConsumerGroup(root, 's', 't', 'workers'), 'ConsumerGroupNameAlreadyExists');
    await expectCode(broker.createConsumerGroup(root, 's', 't', ''), 'InvalidConsumerGroupName');
    await expectCode(broker.createConsumerGroup(root, 's', 'x', 'g'), 'TopicIdNotFound');
    await broker.deleteConsumerGroup(root, 's', 't', 0);
    await expectCode(broker.deleteConsumerGroup(root, 's', 't', 0), 'ConsumerGroupIdNotFound');
    expect((await broker.createConsumerGroup(root, 's', 't', 'again')).id).toBe(0);
  });

  describe('membership', () => {
    beforeEach(async () => {
      await broker.createConsumerGroup(root, 's', 't', 'workers');
    });

    it('join assigns partitions; a second member takes over never-polled partitions at once', () => {
      broker.joinConsumerGroup(a, 's', 't', 'workers');
      expect(members()).toEqual({ [a]: [0, 1, 2, 3] });
      broker.joinConsumerGroup(a, 's', 't', 'workers'); // idempotent
      broker.joinConsumerGroup(b, 's', 't', 'workers');
      expect(members()).toEqual({ [a]: [0, 1], [b]: [3, 2] });
      expect(broker.getConsumerGroup(root, 's', 't', 'workers')!.membersCount).toBe(2);
      expect(broker.getMe(a).consumerGroups).toEqual([{ streamId: 0, topicId: 0, groupId: 0 }]);
    });

    it('a member polls its partitions in rotation, one per poll, from the group offset', async () => {
      broker.joinConsumerGroup(a, 's', 't', 'workers');
      const seen: string[] = [];
      for (let i = 0; i < 4; i++) seen.push(...payloads((await pollAs(a)).messages));
      expect(seen).toEqual(['p0', 'p1', 'p2', 'p3']);
      expect((await pollAs(a)).count).toBe(0);
      const offset = broker.getConsumerOffset(root, {
        streamId: 's',
        topicId: 't',
        consumer: group,
        partitionId: 2,
      });
      expect(offset?.storedOffset).toBe(0n);
    });

    it('leave and disconnect re-deal every partition; the new owner resumes from the group offset', async () => {
      broker.joinConsumerGroup(a, 's', 't', 'workers');
      broker.joinConsumerGroup(b, 's', 't', 'workers');
      expect(payloads((await pollAs(b)).messages)).toEqual(['p3']);
      broker.leaveConsumerGroup(b, 's', 't', 'workers');
      expect(members()).toEqual({ [a]: [0, 1, 2, 3] });
      expect(broker.getMe(b).consumerGroups).toEqual([]);
      await expectCode(
        () => broker.leaveConsumerGroup(b, 's', 't', 'workers'),
        'ConsumerGroupMemberNotFound',
      );
      const seen: string[] = [];
      for (let i = 0; i < 4; i++) seen.push(...payloads((await pollAs(a)).messages));
      expect(seen.sort()).toEqual(['p0', 'p1', 'p2']); // p3 was consumed (auto-commit) by b

      broker.joinConsumerGroup(b, 's', 't', 'workers');
      const c = await login(broker, 'iggy', 'iggy');
      broker.joinConsumerGroup(c, 's', 't', 'workers');
      broker.disconnectClient(a);
      expect(members()).toEqual({ [b]: [0, 2], [c]: [1, 3] });
    });

    it('a polled partition stays with its member until the group commits it', async () => {
      broker.joinConsumerGroup(a, 's', 't', 'workers');
      for (let i = 0; i < 4; i++) await pollAs(a, null, false);
      broker.joinConsumerGroup(b, 's', 't', 'workers');
      expect(members()).toEqual({ [a]: [0, 1, 2, 3], [b]: [] });
      expect(await pollAs(b)).toMatchObject({ partitionId: 0, count: 0 });
      await broker.storeConsumerOffset(a, {
        streamId: 's',
        topicId: 't',
        consumer: group,
        partitionId: 3,
        offset: 0n,
      });
      expect(members()).toEqual({ [a]: [0, 1, 2], [b]: [3] });
    });

    it('forces the hand-over after the rebalancing timeout', async () => {
      await broker.close();
      ({ broker, root } = await memoryBroker({ rebalancingTimeoutMs: 0 }));
      await broker.createStream(root, 's');
      await broker.createTopic(root, 's', { name: 't', partitionsCount: 2 });
      await broker.createConsumerGroup(root, 's', 't', 'workers');
      await broker.sendMessages(root, 's', 't', { kind: PartitioningKind.Balanced }, batch(['x']), 1);
      await broker.sendMessages(root, 's', 't', { kind: PartitioningKind.Balanced }, batch(['y']), 1);
      a = await login(broker, 'iggy', 'iggy');
      b = await login(broker, 'iggy', 'iggy');
      broker.joinConsumerGroup(a, 's', 't', 'workers');
      await pollAs(a, null, false);
      await pollAs(a, null, false);
      broker.joinConsumerGroup(b, 's', 't', 'workers');
      expect(members()).toEqual({ [a]: [0, 1], [b]: [] });
      expect(broker.checkRebalanceTimeouts()).toBe(1);
      expect(members()).toEqual({ [a]: [0], [b]: [1] });
    });

    it('a member without partitions gets an empty reply; a non-member is refused', async () => {
      await broker.deletePartitions(root, 's', 't', 3);
      broker.joinConsumerGroup(a, 's', 't', 'workers');
      broker.joinConsumerGroup(b, 's', 't', 'workers');
      expect(members()).toEqual({ [a]: [0], [b]: [] });
      expect(await pollAs(b)).toMatchObject({ partitionId: 0, currentOffset: 0n, count: 0 });
      const c = await login(broker, 'iggy', 'iggy');
      await expectCode(pollAs(c), 'ConsumerGroupMemberNotFound');
      await expectCode(
        broker.storeConsumerOffset(c, {
          streamId: 's',
          topicId: 't',
          consumer: group,
          partitionId: 0,
          offset: 0n,
        }),
        'ConsumerGroupMemberNotFound',
      );
      await expectCode(
        broker.storeConsumerOffset(b, {
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
      broker.joinConsumerGroup(a, 's', 't', 'workers');
      broker.joinConsumerGroup(b, 's', 't', 'workers');
      expect(payloads((await pollAs(b, 2)).messages)).toEqual(['p2']);
      expect(await pollAs(b, 0)).toMatchObject({ partitionId: 0, count: 0, currentOffset: 0n });
    });

    it('a partition count change re-deals the members', async () => {
      broker.joinConsumerGroup(a, 's', 't', 'workers');
      broker.joinConsumerGroup(b, 's', 't', 'workers');
      await broker.createPartitions(root, 's', 't', 1);
      expect(members()).toEqual({ [a]: [0, 2, 4], [b]: [1, 3] });
      expect(broker.getConsumerGroup(root, 's', 't', 'workers')!.partitionsCount).toBe(5);
    });

    it('deleting the group drops its offsets and memberships', async () => {
      broker.joinConsumerGroup(a, 's', 't', 'workers');
      await pollAs(a);
      await broker.deleteConsumerGroup(root, 's', 't', 'workers');
      expect(broker.getMe(a).consumerGroups).toEqual([]);
      await broker.createConsumerGroup(root, 's', 't', 'workers');
      const offset = broker.getConsumerOffset(root, {
        streamId: 's',
        topicId: 't',
        consumer: group,
        partitionId: 0,
      });
      expect(offset).toBeNull();
    });

    it('join and leave errors', async () => {
      await expectCode(() => broker.joinConsumerGroup(a, 's', 't', 'nope'), 'ConsumerGroupIdNotFound');
      await expectCode(() => broker.joinConsumerGroup(a, 'x', 't', 'workers'), 'StreamIdNotFound');
      await expectCode(
        () => broker.leaveConsumerGroup(a, 's', 't', 'workers'),
        'ConsumerGroupMemberNotFound',
      );
    });
  });
});
