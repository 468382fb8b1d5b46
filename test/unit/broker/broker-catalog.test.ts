import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { BrokerSession } from '../../../lib/broker/broker-session.js';
import type { Broker } from '../../../lib/broker/broker.js';
import {
  CompressionAlgorithm,
  PartitioningKind,
  U64_MAX,
  type CompressionAlgorithmValue,
} from '../../../lib/broker/types.js';
import { batch, expectCode, memoryBroker, pollBytes, sendLanded } from './broker-kit.js';
import { MessageRun } from '../../../lib/protocol/messages/message-run.js';

describe('Broker: streams, topics, partitions', () => {
  let broker: Broker;
  let root: BrokerSession;

  beforeEach(async () => {
    ({ broker, root } = await memoryBroker({ segmentSizeBytes: 1024 }));
  });
  afterEach(() => broker.close());

  describe('streams', () => {
    it('creates streams with 0-based ids, reusing the last freed id first (the real server slab)', async () => {
      const a = await root.createStream({ name: 'a' });
      const b = await root.createStream({ name: 'b' });
      const c = await root.createStream({ name: 'c' });
      expect([a.id, b.id, c.id]).toEqual([0, 1, 2]);
      expect(a).toMatchObject({ name: 'a', topicsCount: 0, sizeBytes: 0n, messagesCount: 0n, topics: [] });
      expect(a.createdAt).toBeGreaterThan(0n);
      await root.deleteStream({ streamId: 0 });
      await root.deleteStream({ streamId: 2 });
      expect((await root.createStream({ name: 'd' })).id).toBe(2);
      expect((await root.createStream({ name: 'e' })).id).toBe(0);
      expect((await root.createStream({ name: 'f' })).id).toBe(3);
    });

    it('gets by id or name, lists, updates; answers null for a missing stream', async () => {
      await root.createStream({ name: 'orders' });
      expect((await root.getStream({ streamId: 'orders' }))?.id).toBe(0);
      expect((await root.getStream({ streamId: 0 }))?.name).toBe('orders');
      expect(await root.getStream({ streamId: 7 })).toBeNull();
      expect(await root.getStream({ streamId: 'nope' })).toBeNull();
      await root.updateStream({ streamId: 'orders', name: 'sales' });
      expect((await root.getStreams()).map((s) => s.name)).toEqual(['sales']);
      await root.updateStream({ streamId: 0, name: 'sales' });
    });

    it('answers the real server error codes', async () => {
      await root.createStream({ name: 'a' });
      await root.createStream({ name: 'b' });
      await expectCode(root.createStream({ name: 'a' }), 'StreamNameAlreadyExists');
      await expectCode(root.createStream({ name: '' }), 'InvalidStreamName');
      await expectCode(root.createStream({ name: 'x'.repeat(256) }), 'InvalidStreamName');
      await expectCode(root.updateStream({ streamId: 0, name: 'b' }), 'StreamNameAlreadyExists');
      await expectCode(root.updateStream({ streamId: 9, name: 'z' }), 'StreamIdNotFound');
      await expectCode(root.deleteStream({ streamId: 'missing' }), 'StreamIdNotFound');
      await expectCode(root.purgeStream({ streamId: 9 }), 'StreamIdNotFound');
    });
  });

  describe('topics', () => {
    beforeEach(async () => {
      await root.createStream({ name: 's' });
    });

    it('creates a topic with its partitions and resolves server defaults', async () => {
      const t = await root.createTopic({ streamId: 's', name: 't', partitionsCount: 3 });
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
      const u = await root.createTopic({
        streamId: 0,
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
      const stream = (await root.getStream({ streamId: 's' }))!;
      expect(stream.topicsCount).toBe(2);
      expect(stream.topics.map((x) => x.name)).toEqual(['t', 'u']);
    });

    it('gets, lists, updates and deletes topics; topic ids are reused like stream ids', async () => {
      await root.createTopic({ streamId: 's', name: 't0', partitionsCount: 1 });
      await root.createTopic({ streamId: 's', name: 't1', partitionsCount: 1 });
      expect((await root.getTopic({ streamId: 's', topicId: 't1' }))?.id).toBe(1);
      expect(await root.getTopic({ streamId: 's', topicId: 5 })).toBeNull();
      expect(await root.getTopic({ streamId: 'nope', topicId: 0 })).toBeNull();
      expect((await root.getTopics({ streamId: 's' })).map((t) => t.name)).toEqual(['t0', 't1']);
      expect(await root.getTopics({ streamId: 'nope' })).toEqual([]);
      await root.updateTopic({
        streamId: 's',
        topicId: 't0',
        name: 'renamed',
        compressionAlgorithm: CompressionAlgorithm.Gzip,
        messageExpiry: 7n,
        maxTopicSize: 0n,
        replicationFactor: 2,
      });
      expect(await root.getTopic({ streamId: 's', topicId: 0 })).toMatchObject({
        name: 'renamed',
        compressionAlgorithm: 2,
        messageExpiry: 7n,
        maxTopicSize: 0n,
        replicationFactor: 2,
      });
      await root.deleteTopic({ streamId: 's', topicId: 0 });
      expect((await root.createTopic({ streamId: 's', name: 'again', partitionsCount: 1 })).id).toBe(0);
    });

    it('answers the real server error codes', async () => {
      await root.createTopic({ streamId: 's', name: 't', partitionsCount: 1 });
      await root.createTopic({ streamId: 's', name: 'u', partitionsCount: 1 });
      await expectCode(
        root.createTopic({ streamId: 's', name: 't', partitionsCount: 1 }),
        'TopicNameAlreadyExists',
      );
      await expectCode(
        root.createTopic({ streamId: 'x', name: 'v', partitionsCount: 1 }),
        'StreamIdNotFound',
      );
      await expectCode(root.createTopic({ streamId: 's', name: '', partitionsCount: 1 }), 'InvalidTopicName');
      await expectCode(
        root.createTopic({ streamId: 's', name: 'v', partitionsCount: 1001 }),
        'TooManyPartitions',
      );
      await expectCode(
        root.createTopic({ streamId: 's', name: 'v', partitionsCount: 1, maxTopicSize: 100n }),
        'InvalidTopicSize',
      );
      await expectCode(
        root.createTopic({
          streamId: 's',
          name: 'v',
          partitionsCount: 1,
          compressionAlgorithm: 9 as CompressionAlgorithmValue,
        }),
        'InvalidCommand',
      );
      const update = {
        name: 'u',
        compressionAlgorithm: CompressionAlgorithm.None,
        messageExpiry: 0n,
        replicationFactor: 1,
        maxTopicSize: 0n,
      };
      await expectCode(
        root.updateTopic({ streamId: 's', topicId: 't', ...update }),
        'TopicNameAlreadyExists',
      );
      await expectCode(root.updateTopic({ streamId: 's', topicId: 9, ...update }), 'TopicIdNotFound');
      await expectCode(root.deleteTopic({ streamId: 's', topicId: 'nope' }), 'TopicIdNotFound');
      await expectCode(root.purgeTopic({ streamId: 'nope', topicId: 't' }), 'StreamIdNotFound');
    });
  });

  describe('partitions and segments', () => {
    beforeEach(async () => {
      await root.createStream({ name: 's' });
      await root.createTopic({ streamId: 's', name: 't', partitionsCount: 2 });
    });

    it('adds partitions at the end and deletes the last ones', async () => {
      const ids = async () =>
        (await root.getTopic({ streamId: 's', topicId: 't' }))?.partitions.map((p) => p.id);
      await root.createPartitions({ streamId: 's', topicId: 't', partitionsCount: 3 });
      expect(await ids()).toEqual([0, 1, 2, 3, 4]);
      expect((await root.getTopic({ streamId: 's', topicId: 't' }))?.partitionsCount).toBe(5);
      await root.deletePartitions({ streamId: 's', topicId: 't', partitionsCount: 2 });
      expect((await root.getTopic({ streamId: 's', topicId: 't' }))?.partitions.map((p) => p.id)).toEqual([
        0, 1, 2,
      ]);
      await expectCode(
        root.deletePartitions({ streamId: 's', topicId: 't', partitionsCount: 4 }),
        'InvalidPartitionsCount',
      );
      await expectCode(
        root.createPartitions({ streamId: 's', topicId: 't', partitionsCount: 0 }),
        'TooManyPartitions',
      );
      await expectCode(
        root.createPartitions({ streamId: 's', topicId: 'x', partitionsCount: 1 }),
        'TopicIdNotFound',
      );
    });

    it('a re-created partition starts empty', async () => {
      await root.sendMessages({
        streamId: 's',
        topicId: 't',
        partitioning: { kind: PartitioningKind.PartitionId, partitionId: 1 },
        messages: new MessageRun(batch(['a']), 1),
      });
      await root.deletePartitions({ streamId: 's', topicId: 't', partitionsCount: 1 });
      await root.createPartitions({ streamId: 's', topicId: 't', partitionsCount: 1 });
      expect((await root.getTopic({ streamId: 's', topicId: 't' }))?.partitions[1].messagesCount).toBe(0n);
    });

    it('deletes sealed segments, never the active one, and not past the lowest stored offset', async () => {
      const p0 = { kind: PartitioningKind.PartitionId, partitionId: 0 } as const;
      for (let i = 0; i < 10; i++)
        await root.sendMessages({
          streamId: 's',
          topicId: 't',
          partitioning: p0,
          messages: new MessageRun(batch(['x'.repeat(400)]), 1),
        });
      const before = (await root.getTopic({ streamId: 's', topicId: 't' }))!.partitions[0];
      expect(before.segmentsCount).toBeGreaterThan(3);
      await root.storeOffset({
        streamId: 's',
        topicId: 't',
        consumer: { kind: 1, id: 1 },
        partitionId: 0,
        offset: 3n,
      });
      await root.deleteSegments({ streamId: 's', topicId: 't', partitionId: 0, segmentsCount: 100 });
      const after = (await root.getTopic({ streamId: 's', topicId: 't' }))!.partitions[0];
      expect(after.segmentsCount).toBeLessThan(before.segmentsCount);
      const first = await pollBytes(root, {
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
      await root.deleteSegments({ streamId: 's', topicId: 't', partitionId: 0, segmentsCount: 100 });
      expect((await root.getTopic({ streamId: 's', topicId: 't' }))!.partitions[0].segmentsCount).toBe(
        after.segmentsCount,
      );
      await expectCode(
        root.deleteSegments({ streamId: 's', topicId: 't', partitionId: 5, segmentsCount: 1 }),
        'PartitionNotFound',
      );
    });
  });

  describe('purge', () => {
    it('removes every message and stored offset; offsets restart at 0', async () => {
      await root.createStream({ name: 's' });
      await root.createTopic({ streamId: 's', name: 't', partitionsCount: 1 });
      const p0 = { kind: PartitioningKind.PartitionId, partitionId: 0 } as const;
      await root.sendMessages({
        streamId: 's',
        topicId: 't',
        partitioning: p0,
        messages: new MessageRun(batch(['a', 'b', 'c']), 3),
      });
      const target = { streamId: 's', topicId: 't', consumer: { kind: 1 as const, id: 1 }, partitionId: 0 };
      await root.storeOffset({ ...target, offset: 1n });
      await root.purgeStream({ streamId: 's' });
      expect((await root.getTopic({ streamId: 's', topicId: 't' }))?.messagesCount).toBe(0n);
      expect(await root.getOffset(target)).toBeNull();
      const sent = await sendLanded(root, {
        streamId: 's',
        topicId: 't',
        partitioning: p0,
        messages: new MessageRun(batch(['d']), 1),
      });
      expect(sent.firstOffset).toBe(0n);
      await root.purgeTopic({ streamId: 's', topicId: 't' });
      expect((await root.getTopic({ streamId: 's', topicId: 't' }))?.messagesCount).toBe(0n);
    });
  });
});
