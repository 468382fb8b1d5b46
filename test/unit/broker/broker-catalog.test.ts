import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { Broker } from '../../../lib/broker/broker.js';
import { CompressionAlgorithm, PartitioningKind, U64_MAX } from '../../../lib/broker/types.js';
import { batch, expectCode, memoryBroker } from './broker-kit.js';

describe('Broker: streams, topics, partitions', () => {
  let broker: Broker;
  let root: number;

  beforeEach(async () => {
    ({ broker, root } = await memoryBroker({ segmentSizeBytes: 1024 }));
  });
  afterEach(() => broker.close());

  describe('streams', () => {
    it('creates streams with 0-based ids, reusing the last freed id first (the real server slab)', async () => {
      const a = await broker.createStream(root, 'a');
      const b = await broker.createStream(root, 'b');
      const c = await broker.createStream(root, 'c');
      expect([a.id, b.id, c.id]).toEqual([0, 1, 2]);
      expect(a).toMatchObject({ name: 'a', topicsCount: 0, sizeBytes: 0n, messagesCount: 0n, topics: [] });
      expect(a.createdAt).toBeGreaterThan(0n);
      await broker.deleteStream(root, 0);
      await broker.deleteStream(root, 2);
      expect((await broker.createStream(root, 'd')).id).toBe(2);
      expect((await broker.createStream(root, 'e')).id).toBe(0);
      expect((await broker.createStream(root, 'f')).id).toBe(3);
    });

    it('gets by id or name, lists, updates; answers null for a missing stream', async () => {
      await broker.createStream(root, 'orders');
      expect(broker.getStream(root, 'orders')?.id).toBe(0);
      expect(broker.getStream(root, 0)?.name).toBe('orders');
      expect(broker.getStream(root, 7)).toBeNull();
      expect(broker.getStream(root, 'nope')).toBeNull();
      await broker.updateStream(root, 'orders', 'sales');
      expect(broker.getStreams(root).map((s) => s.name)).toEqual(['sales']);
      await broker.updateStream(root, 0, 'sales');
    });

    it('answers the real server error codes', async () => {
      await broker.createStream(root, 'a');
      await broker.createStream(root, 'b');
      await expectCode(broker.createStream(root, 'a'), 'StreamNameAlreadyExists');
      await expectCode(broker.createStream(root, ''), 'InvalidStreamName');
      await expectCode(broker.createStream(root, 'x'.repeat(256)), 'InvalidStreamName');
      await expectCode(broker.updateStream(root, 0, 'b'), 'StreamNameAlreadyExists');
      await expectCode(broker.updateStream(root, 9, 'z'), 'StreamIdNotFound');
      await expectCode(broker.deleteStream(root, 'missing'), 'StreamIdNotFound');
      await expectCode(broker.purgeStream(root, 9), 'StreamIdNotFound');
    });
  });

  describe('topics', () => {
    beforeEach(async () => {
      await broker.createStream(root, 's');
    });

    it('creates a topic with its partitions and resolves server defaults', async () => {
      const t = await broker.createTopic(root, 's', { name: 't', partitionsCount: 3 });
      expect(t).toMatchObject({
        id: 0,
        name: 't',
        partitionsCount: 3,
        messageExpiry: U64_MAX,
        maxTopicSize: U64_MAX,
        compressionAlgorithm: CompressionAlgorithm.None,
        replicationFactor: 1,
        sizeBytes: 0n,
        messagesCount: 0n,
      });
      expect(t.partitions.map((p) => p.id)).toEqual([0, 1, 2]);
      expect(t.partitions[0]).toMatchObject({
        segmentsCount: 1,
        currentOffset: 0n,
        sizeBytes: 0n,
        messagesCount: 0n,
      });
      const u = await broker.createTopic(root, 0, {
        name: 'u',
        partitionsCount: 0,
        compressionAlgorithm: CompressionAlgorithm.Gzip,
        messageExpiry: 5_000_000n,
        maxTopicSize: 10_000n,
        replicationFactor: 3,
      });
      expect(u).toMatchObject({
        id: 1,
        partitionsCount: 0,
        messageExpiry: 5_000_000n,
        maxTopicSize: 10_000n,
      });
      expect(u).toMatchObject({ compressionAlgorithm: CompressionAlgorithm.Gzip, replicationFactor: 3 });
      const stream = broker.getStream(root, 's')!;
      expect(stream.topicsCount).toBe(2);
      expect(stream.topics.map((x) => x.name)).toEqual(['t', 'u']);
    });

    it('gets, lists, updates and deletes topics; topic ids are reused like stream ids', async () => {
      await broker.createTopic(root, 's', { name: 't0', partitionsCount: 1 });
      await broker.createTopic(root, 's', { name: 't1', partitionsCount: 1 });
      expect(broker.getTopic(root, 's', 't1')?.id).toBe(1);
      expect(broker.getTopic(root, 's', 5)).toBeNull();
      expect(broker.getTopic(root, 'nope', 0)).toBeNull();
      expect(broker.getTopics(root, 's').map((t) => t.name)).toEqual(['t0', 't1']);
      expect(broker.getTopics(root, 'nope')).toEqual([]);
      await broker.updateTopic(root, 's', 't0', {
        name: 'renamed',
        compressionAlgorithm: CompressionAlgorithm.Gzip,
        messageExpiry: 7n,
        maxTopicSize: 0n,
        replicationFactor: 2,
      });
      expect(broker.getTopic(root, 's', 0)).toMatchObject({
        name: 'renamed',
        compressionAlgorithm: 2,
        messageExpiry: 7n,
        maxTopicSize: 0n,
        replicationFactor: 2,
      });
      await broker.deleteTopic(root, 's', 0);
      expect((await broker.createTopic(root, 's', { name: 'again', partitionsCount: 1 })).id).toBe(0);
    });

    it('answers the real server error codes', async () => {
      await broker.createTopic(root, 's', { name: 't', partitionsCount: 1 });
      await broker.createTopic(root, 's', { name: 'u', partitionsCount: 1 });
      await expectCode(
        broker.createTopic(root, 's', { name: 't', partitionsCount: 1 }),
        'TopicNameAlreadyExists',
      );
      await expectCode(broker.createTopic(root, 'x', { name: 'v', partitionsCount: 1 }), 'StreamIdNotFound');
      await expectCode(broker.createTopic(root, 's', { name: '', partitionsCount: 1 }), 'InvalidTopicName');
      await expectCode(
        broker.createTopic(root, 's', { name: 'v', partitionsCount: 1001 }),
        'TooManyPartitions',
      );
      await expectCode(
        broker.createTopic(root, 's', { name: 'v', partitionsCount: 1, maxTopicSize: 100n }),
        'InvalidTopicSize',
      );
      await expectCode(
        broker.createTopic(root, 's', { name: 'v', partitionsCount: 1, compressionAlgorithm: 9 }),
        'InvalidCommand',
      );
      const update = { name: 'u', compressionAlgorithm: 1, messageExpiry: 0n, maxTopicSize: 0n };
      await expectCode(broker.updateTopic(root, 's', 't', update), 'TopicNameAlreadyExists');
      await expectCode(broker.updateTopic(root, 's', 9, update), 'TopicIdNotFound');
      await expectCode(broker.deleteTopic(root, 's', 'nope'), 'TopicIdNotFound');
      await expectCode(broker.purgeTopic(root, 'nope', 't'), 'StreamIdNotFound');
    });
  });

  describe('partitions and segments', () => {
    beforeEach(async () => {
      await broker.createStream(root, 's');
      await broker.createTopic(root, 's', { name: 't', partitionsCount: 2 });
    });

    it('adds partitions at the end and deletes the last ones', async () => {
      expect(await broker.createPartitions(root, 's', 't', 3)).toEqual([2, 3, 4]);
      expect(broker.getTopic(root, 's', 't')?.partitionsCount).toBe(5);
      expect(await broker.deletePartitions(root, 's', 't', 2)).toEqual([3, 4]);
      expect(broker.getTopic(root, 's', 't')?.partitions.map((p) => p.id)).toEqual([0, 1, 2]);
      await expectCode(broker.deletePartitions(root, 's', 't', 4), 'InvalidPartitionsCount');
      await expectCode(broker.createPartitions(root, 's', 't', 0), 'TooManyPartitions');
      await expectCode(broker.createPartitions(root, 's', 'x', 1), 'TopicIdNotFound');
    });

    it('a re-created partition starts empty', async () => {
      await broker.sendMessages(
        root,
        's',
        't',
        { kind: PartitioningKind.PartitionId, partitionId: 1 },
        batch(['a']),
        1,
      );
      await broker.deletePartitions(root, 's', 't', 1);
      await broker.createPartitions(root, 's', 't', 1);
      expect(broker.getTopic(root, 's', 't')?.partitions[1].messagesCount).toBe(0n);
    });

    it('deletes sealed segments, never the active one, and not past the lowest stored offset', async () => {
      const p0 = { kind: PartitioningKind.PartitionId, partitionId: 0 } as const;
      for (let i = 0; i < 10; i++) await broker.sendMessages(root, 's', 't', p0, batch(['x'.repeat(400)]), 1);
      const before = broker.getTopic(root, 's', 't')!.partitions[0];
      expect(before.segmentsCount).toBeGreaterThan(3);
      await broker.storeConsumerOffset(root, {
        streamId: 's',
        topicId: 't',
        consumer: { kind: 1, id: 1 },
        partitionId: 0,
        offset: 3n,
      });
      await broker.deleteSegments(root, 's', 't', 0, 100);
      const after = broker.getTopic(root, 's', 't')!.partitions[0];
      expect(after.segmentsCount).toBeLessThan(before.segmentsCount);
      const first = await broker.pollMessages(root, {
        streamId: 's',
        topicId: 't',
        consumer: { kind: 1, id: 9 },
        partitionId: 0,
        strategy: { kind: 3, value: 0n },
        count: 1,
        autoCommit: false,
      });
      // 464-byte messages in 1 KiB segments: [0..2] [3..5] [6..8] [9]; only [0..2] ends at or below offset 3.
      expect(first.messages.readBigUInt64LE(24)).toBe(3n);
      await broker.deleteSegments(root, 's', 't', 0, 100);
      expect(broker.getTopic(root, 's', 't')!.partitions[0].segmentsCount).toBe(after.segmentsCount);
      await expectCode(broker.deleteSegments(root, 's', 't', 5, 1), 'PartitionNotFound');
    });
  });

  describe('purge', () => {
    it('removes every message and stored offset; offsets restart at 0', async () => {
      await broker.createStream(root, 's');
      await broker.createTopic(root, 's', { name: 't', partitionsCount: 1 });
      const p0 = { kind: PartitioningKind.PartitionId, partitionId: 0 } as const;
      await broker.sendMessages(root, 's', 't', p0, batch(['a', 'b', 'c']), 3);
      const target = { streamId: 's', topicId: 't', consumer: { kind: 1 as const, id: 1 }, partitionId: 0 };
      await broker.storeConsumerOffset(root, { ...target, offset: 1n });
      await broker.purgeStream(root, 's');
      expect(broker.getTopic(root, 's', 't')?.messagesCount).toBe(0n);
      expect(broker.getConsumerOffset(root, target)).toBeNull();
      const sent = await broker.sendMessages(root, 's', 't', p0, batch(['d']), 1);
      expect(sent.firstOffset).toBe(0n);
      await broker.purgeTopic(root, 's', 't');
      expect(broker.getTopic(root, 's', 't')?.messagesCount).toBe(0n);
    });
  });
});
