import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { BrokerSession } from '../../../lib/broker/broker-session.js';
import type { Broker } from '../../../lib/broker/broker.js';
import type { PollRequest } from '../../../lib/broker/commands/message-commands.js';
import { partitionForKey } from '../../../lib/protocol/messages/partition-key.js';
import { messageChecksum } from '../../../lib/protocol/messages/checksum.js';
import {
  ConsumerKind,
  PartitioningKind,
  PollingKind,
  Transport,
  type Partitioning,
  type PollingStrategy,
} from '../../../lib/broker/types.js';
import { batch, decode, expectCode, memoryBroker, payloads, pollBytes, sendLanded } from './broker-kit.js';
import { MessageRun } from '../../../lib/protocol/messages/message-run.js';

const balanced: Partitioning = { kind: PartitioningKind.Balanced };
const toPartition = (partitionId: number): Partitioning => ({
  kind: PartitioningKind.PartitionId,
  partitionId,
});
const consumer = (id: number | string) => ({ kind: ConsumerKind.Consumer, id });
const strategy = {
  offset: (value: bigint): PollingStrategy => ({ kind: PollingKind.Offset, value }),
  timestamp: (value: bigint): PollingStrategy => ({ kind: PollingKind.Timestamp, value }),
  first: (): PollingStrategy => ({ kind: PollingKind.First, value: 0n }),
  last: (): PollingStrategy => ({ kind: PollingKind.Last, value: 0n }),
  next: (): PollingStrategy => ({ kind: PollingKind.Next, value: 0n }),
};

describe('Broker: send, poll, consumer offsets', () => {
  let broker: Broker;
  let root: BrokerSession;
  const poll = (overrides: Partial<PollRequest>) =>
    pollBytes(root, {
      streamId: 's',
      topicId: 't',
      consumer: consumer(1),
      partitionId: 0,
      strategy: strategy.first(),
      count: 100,
      autoCommit: false,
      ...overrides,
    });

  beforeEach(async () => {
    ({ broker, root } = await memoryBroker());
    await root.createStream({ name: 's' });
    await root.createTopic({ streamId: 's', name: 't', partitionsCount: 3 });
  });
  afterEach(() => broker.close());

  describe('partitioning', () => {
    it('balanced: round robin over partitions, advanced once per batch', async () => {
      const used: number[] = [];
      for (let i = 0; i < 5; i++)
        used.push(
          (
            await sendLanded(root, {
              streamId: 's',
              topicId: 't',
              partitioning: balanced,
              messages: new MessageRun(batch(['a', 'b']), 2),
            })
          ).partitionId,
        );
      expect(used).toEqual([0, 1, 2, 0, 1]);
      const topic = (await root.getTopic({ streamId: 's', topicId: 't' }))!;
      expect(topic.partitions.map((p) => p.messagesCount)).toEqual([4n, 4n, 2n]);
      expect(topic.messagesCount).toBe(10n);
    });

    it('partition id: the given partition; PartitionNotFound when it does not exist', async () => {
      expect(
        (
          await sendLanded(root, {
            streamId: 's',
            topicId: 't',
            partitioning: toPartition(2),
            messages: new MessageRun(batch(['a']), 1),
          })
        ).partitionId,
      ).toBe(2);
      await expectCode(
        root.sendMessages({
          streamId: 's',
          topicId: 't',
          partitioning: toPartition(3),
          messages: new MessageRun(batch(['a']), 1),
        }),
        'PartitionNotFound',
      );
    });

    it('messages key: XxHash32(key) mod partitions, the same partition every time', async () => {
      for (const key of ['tenant-1', 'tenant-2', 'tenant-3', 'x', 'a-much-longer-key-value']) {
        const keyBytes = Buffer.from(key);
        const p: Partitioning = { kind: PartitioningKind.MessagesKey, key: keyBytes };
        const first = await sendLanded(root, {
          streamId: 's',
          topicId: 't',
          partitioning: p,
          messages: new MessageRun(batch(['a']), 1),
        });
        const second = await sendLanded(root, {
          streamId: 's',
          topicId: 't',
          partitioning: p,
          messages: new MessageRun(batch(['b']), 1),
        });
        expect(first.partitionId).toBe(partitionForKey(keyBytes, 3));
        expect(second.partitionId).toBe(first.partitionId);
      }
      const empty: Partitioning = { kind: PartitioningKind.MessagesKey, key: Buffer.alloc(0) };
      await expectCode(
        root.sendMessages({
          streamId: 's',
          topicId: 't',
          partitioning: empty,
          messages: new MessageRun(batch(['a']), 1),
        }),
        'InvalidKeyValueLength',
      );
    });
  });

  describe('send', () => {
    it('stamps offsets, one server timestamp per batch, a random id for id 0, and the checksum', async () => {
      const messages = batch(['a', { payload: 'b', id: 77n }, 'c']);
      const result = await sendLanded(root, {
        streamId: 's',
        topicId: 't',
        partitioning: toPartition(0),
        messages: new MessageRun(messages, 3),
      });
      expect(result).toEqual({ partitionId: 0, firstOffset: 0n, lastOffset: 2n });
      const polled = await poll({ strategy: strategy.first() });
      const decoded = decode(polled.messages);
      expect(decoded.map((m) => m.offset)).toEqual([0n, 1n, 2n]);
      expect(new Set(decoded.map((m) => m.timestamp)).size).toBe(1);
      expect(decoded[1].id).toBe(77n);
      expect(decoded[0].id).not.toBe(0n);
      expect(decoded[0].id).not.toBe(decoded[2].id);
      let at = 0;
      for (const m of decoded) {
        const length = 64 + m.payload.length;
        const one = polled.messages.subarray(at, at + length);
        expect(one.readBigUInt64LE(0)).toBe(messageChecksum(one));
        at += length;
      }
    });

    it('validates the batch first, then the stream and topic', async () => {
      await expectCode(
        root.sendMessages({
          streamId: 'nope',
          topicId: 't',
          partitioning: balanced,
          messages: new MessageRun(batch(['a']), 2),
        }),
        'InvalidMessagesCount',
      );
      await expectCode(
        root.sendMessages({
          streamId: 's',
          topicId: 't',
          partitioning: balanced,
          messages: new MessageRun(batch([{ payload: 'a', reserved: 1n }]), 1),
        }),
        'InvalidReservedField',
      );
      await expectCode(
        root.sendMessages({
          streamId: 's',
          topicId: 't',
          partitioning: balanced,
          messages: new MessageRun(batch(['']), 1),
        }),
        'EmptyMessagePayload',
      );
      await expectCode(
        root.sendMessages({
          streamId: 'nope',
          topicId: 't',
          partitioning: balanced,
          messages: new MessageRun(batch(['a']), 1),
        }),
        'StreamIdNotFound',
      );
      await expectCode(
        root.sendMessages({
          streamId: 's',
          topicId: 'nope',
          partitioning: balanced,
          messages: new MessageRun(batch(['a']), 1),
        }),
        'TopicIdNotFound',
      );
    });
  });

  describe('poll strategies', () => {
    beforeEach(async () => {
      for (let i = 0; i < 10; i++)
        await root.sendMessages({
          streamId: 's',
          topicId: 't',
          partitioning: toPartition(0),
          messages: new MessageRun(batch([`m${i}`]), 1),
        });
    });

    it('offset: from the offset; empty past the current offset', async () => {
      const r = await poll({ strategy: strategy.offset(7n), count: 2 });
      expect(r).toMatchObject({ partitionId: 0, currentOffset: 9n, count: 2 });
      expect(payloads(r.messages)).toEqual(['m7', 'm8']);
      expect((await poll({ strategy: strategy.offset(10n) })).count).toBe(0);
      expect((await poll({ strategy: strategy.offset(10n) })).currentOffset).toBe(9n);
    });

    it('first and last', async () => {
      expect(payloads((await poll({ strategy: strategy.first(), count: 2 })).messages)).toEqual(['m0', 'm1']);
      expect(payloads((await poll({ strategy: strategy.last(), count: 3 })).messages)).toEqual([
        'm7',
        'm8',
        'm9',
      ]);
      expect((await poll({ strategy: strategy.last(), count: 50 })).count).toBe(10);
    });

    it('timestamp: the first message at or after the timestamp', async () => {
      const all = decode((await poll({ strategy: strategy.first() })).messages);
      const r = await poll({ strategy: strategy.timestamp(all[4].timestamp), count: 100 });
      expect(decode(r.messages)[0].timestamp).toBeGreaterThanOrEqual(all[4].timestamp);
      expect(r.count).toBeGreaterThanOrEqual(6);
      expect((await poll({ strategy: strategy.timestamp(all[9].timestamp + 1_000_000n) })).count).toBe(0);
    });

    it('next: stored + 1, or from the first message; auto-commit stores the last returned offset', async () => {
      const a = await poll({ strategy: strategy.next(), count: 4, autoCommit: true });
      expect(payloads(a.messages)).toEqual(['m0', 'm1', 'm2', 'm3']);
      const target = { streamId: 's', topicId: 't', consumer: consumer(1), partitionId: 0 };
      expect(await root.getOffset(target)).toEqual({
        partitionId: 0,
        currentOffset: 9n,
        storedOffset: 3n,
      });
      const b = await poll({ strategy: strategy.next(), count: 4, autoCommit: true });
      expect(payloads(b.messages)).toEqual(['m4', 'm5', 'm6', 'm7']);
      const c = await poll({ strategy: strategy.next(), count: 4, autoCommit: false });
      expect(payloads(c.messages)).toEqual(['m8', 'm9']);
      expect((await root.getOffset(target))?.storedOffset).toBe(7n);
      await poll({ strategy: strategy.next(), count: 4, autoCommit: true });
      expect((await poll({ strategy: strategy.next(), autoCommit: true })).count).toBe(0);
      expect((await root.getOffset(target))?.storedOffset).toBe(9n);
    });

    it('count 0 answers the current offset and no messages', async () => {
      expect(await poll({ count: 0 })).toMatchObject({ partitionId: 0, currentOffset: 9n, count: 0 });
    });

    it('an empty partition polls empty with current offset 0', async () => {
      expect(await poll({ partitionId: 1, strategy: strategy.next() })).toMatchObject({
        partitionId: 1,
        currentOffset: 0n,
        count: 0,
      });
    });

    it('errors: missing stream, topic, partition', async () => {
      await expectCode(poll({ streamId: 'x' }), 'StreamIdNotFound');
      await expectCode(poll({ topicId: 'x' }), 'TopicIdNotFound');
      await expectCode(poll({ partitionId: 3 }), 'PartitionNotFound');
      await expectCode(
        poll({ consumer: { kind: ConsumerKind.ConsumerGroup, id: 'g' } }),
        'ConsumerGroupIdNotFound',
      );
    });
  });

  describe('consumer offsets', () => {
    const target = { streamId: 's', topicId: 't', consumer: consumer('worker'), partitionId: 1 };

    it('stores explicitly, gets and deletes per consumer', async () => {
      await root.sendMessages({
        streamId: 's',
        topicId: 't',
        partitioning: toPartition(1),
        messages: new MessageRun(batch(['a', 'b', 'c']), 3),
      });
      expect(await root.getOffset(target)).toBeNull();
      await root.storeOffset({ ...target, offset: 1n });
      expect(await root.getOffset(target)).toEqual({
        partitionId: 1,
        currentOffset: 2n,
        storedOffset: 1n,
      });
      expect(payloads((await poll({ ...target, strategy: strategy.next() })).messages)).toEqual(['c']);
      // another consumer has its own offset; a numeric id is not the same consumer as a string one
      expect(await root.getOffset({ ...target, consumer: consumer(2) })).toBeNull();
      await root.deleteConsumerOffset(target);
      expect(await root.getOffset(target)).toBeNull();
      await expectCode(root.deleteConsumerOffset(target), 'ConsumerOffsetNotFound');
      await root.storeOffset({ ...target, offset: 2n });
      expect((await root.getOffset(target))?.storedOffset).toBe(2n);
      await expectCode(root.storeOffset({ ...target, offset: -1n }), 'InvalidOffset');
    });

    it('refuses, as server 0.8 does, an offset past the partition end or on a partition never written', async () => {
      await root.sendMessages({
        streamId: 's',
        topicId: 't',
        partitioning: toPartition(1),
        messages: new MessageRun(batch(['a', 'b', 'c']), 3),
      });
      await expectCode(root.storeOffset({ ...target, offset: 3n }), 'InvalidOffset');
      await expectCode(root.storeOffset({ ...target, partitionId: 0, offset: 0n }), 'InvalidOffset');
      const group = { kind: ConsumerKind.ConsumerGroup, id: 'g' };
      await root.createConsumerGroup({ streamId: 's', topicId: 't', name: 'g' });
      await root.joinConsumerGroup({ streamId: 's', topicId: 't', groupId: 'g' });
      await expectCode(root.storeOffset({ ...target, consumer: group, offset: 9n }), 'InvalidOffset');
      expect(await root.getOffset(target)).toBeNull();
    });

    it('accepts any u64 with 0.7 answers: a broker of serverVersion 0.7.x, or a client that logged in as a 0.7 SDK', async () => {
      const old = await memoryBroker({ serverVersion: '0.7.0-embedded' });
      try {
        await old.root.createStream({ name: 's' });
        await old.root.createTopic({ streamId: 's', name: 't', partitionsCount: 2 });
        await old.root.storeOffset({ ...target, offset: 100n });
        expect((await old.root.getOffset(target))?.storedOffset).toBe(100n);
        expect(await old.root.getStats()).toMatchObject({ threadsCount: null, totalDiskSpace: null });
      } finally {
        await old.broker.close();
      }
      const rustSdk07 = broker.connect(Transport.Tcp, 'rust-sdk');
      await rustSdk07.login('iggy', 'iggy', '0.9.0');
      await root.sendMessages({
        streamId: 's',
        topicId: 't',
        partitioning: toPartition(1),
        messages: new MessageRun(batch(['a']), 1),
      });
      await rustSdk07.storeOffset({ ...target, offset: 100n });
      expect((await root.getOffset(target))?.storedOffset).toBe(100n);
      const rustSdk08 = broker.connect(Transport.Tcp, 'rust-sdk');
      await rustSdk08.login('iggy', 'iggy', '0.10.0');
      await expectCode(rustSdk08.storeOffset({ ...target, offset: 100n }), 'InvalidOffset');
      expect((await rustSdk07.getStats()).threadsCount).toBeNull();
      expect((await rustSdk08.getStats()).threadsCount).toBeGreaterThan(0);
    });

    it('errors and empty answers', async () => {
      await expectCode(root.storeOffset({ ...target, partitionId: 9, offset: 0n }), 'PartitionNotFound');
      await expectCode(root.storeOffset({ ...target, topicId: 'x', offset: 0n }), 'TopicIdNotFound');
      expect(await root.getOffset({ ...target, partitionId: 9 })).toBeNull();
      expect(await root.getOffset({ ...target, streamId: 'x' })).toBeNull();
      expect(
        await root.getOffset({
          ...target,
          consumer: { kind: ConsumerKind.ConsumerGroup, id: 'g' },
        }),
      ).toBeNull();
    });
  });

  it('flushes a partition', async () => {
    await root.sendMessages({
      streamId: 's',
      topicId: 't',
      partitioning: toPartition(0),
      messages: new MessageRun(batch(['a']), 1),
    });
    await root.flushUnsavedBuffer({ streamId: 's', topicId: 't', partitionId: 0, fsync: true });
    await expectCode(
      root.flushUnsavedBuffer({ streamId: 's', topicId: 't', partitionId: 7, fsync: false }),
      'PartitionNotFound',
    );
  });
});
