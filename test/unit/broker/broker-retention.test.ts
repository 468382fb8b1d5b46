import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { BrokerSession } from '../../../lib/broker/broker-session.js';
import type { Broker } from '../../../lib/broker/broker.js';
import { ConsumerKind, PartitioningKind, PollingKind } from '../../../lib/broker/types.js';
import { batch, decode, memoryBroker, pollBytes } from './broker-kit.js';
import { MessageRun } from '../../../lib/protocol/messages/message-run.js';

/** 400-byte payloads: 464-byte messages, 3 to a 1 KiB segment. */
const big = (i: number): string => `${i}`.padEnd(400, '.');

describe('Broker: retention', () => {
  let broker: Broker;
  let root: BrokerSession;

  const send = async (topic: string, partitionId: number, count: number): Promise<void> => {
    for (let i = 0; i < count; i++) {
      await root.sendMessages({
        streamId: 's',
        topicId: topic,
        partitioning: { kind: PartitioningKind.PartitionId, partitionId },
        messages: new MessageRun(batch([big(i)]), 1),
      });
    }
  };
  const firstOffset = async (topic: string, partitionId: number): Promise<bigint> => {
    const r = await pollBytes(root, {
      streamId: 's',
      topicId: topic,
      consumer: { kind: ConsumerKind.Consumer, id: 1 },
      partitionId,
      strategy: { kind: PollingKind.First, value: 0n },
      count: 1,
      autoCommit: false,
    });
    return decode(r.messages)[0].offset;
  };

  beforeEach(async () => {
    ({ broker, root } = await memoryBroker({ segmentSizeBytes: 1024 }));
    await root.createStream({ name: 's' });
  });
  afterEach(() => broker.close());

  it('message expiry removes whole sealed segments older than the expiry, never the active one', async () => {
    await root.createTopic({ streamId: 's', name: 'short', partitionsCount: 1, messageExpiry: 300_000n });
    await root.createTopic({ streamId: 's', name: 'forever', partitionsCount: 1 });
    await send('short', 0, 10);
    await send('forever', 0, 10);
    expect((await broker.runRetention()).expiredMessages).toBe(0n);
    await new Promise((resolve) => setTimeout(resolve, 350));
    const report = await broker.runRetention();
    expect(report.expiredMessages).toBe(9n);
    const short = (await root.getTopic({ streamId: 's', topicId: 'short' }))!;
    expect(short.partitions[0]).toMatchObject({ segmentsCount: 1, messagesCount: 1n, currentOffset: 9n });
    expect(await firstOffset('short', 0)).toBe(9n);
    expect((await root.getTopic({ streamId: 's', topicId: 'forever' }))!.messagesCount).toBe(10n);
  });

  it('max topic size: at 90 % the oldest sealed segment across partitions goes until below', async () => {
    await root.createTopic({ streamId: 's', name: 'capped', partitionsCount: 2, maxTopicSize: 4096n });
    await send('capped', 0, 6); // partition 0 first: its segments are the oldest
    await send('capped', 1, 6);
    const before = (await root.getTopic({ streamId: 's', topicId: 'capped' }))!;
    expect(before.sizeBytes).toBe(12n * 464n);
    const report = await broker.runRetention();
    const after = (await root.getTopic({ streamId: 's', topicId: 'capped' }))!;
    expect(after.sizeBytes).toBeLessThan((4096n * 9n) / 10n);
    expect(report.trimmedSegments).toBeGreaterThan(0);
    expect(report.trimmedBytes).toBe(before.sizeBytes - after.sizeBytes);
    // Each partition: [0..2] [3..5] sealed, an empty active segment. Partition 0 was written first, so
    // both of its sealed segments are older than partition 1's: removing them brings 5568 B under 3686 B.
    expect(after.partitions.map((p) => p.messagesCount)).toEqual([0n, 6n]);
    expect(after.partitions.map((p) => p.segmentsCount)).toEqual([1, 3]);
    expect(await firstOffset('capped', 1)).toBe(0n);
    expect(after.sizeBytes).toBe(6n * 464n);
    expect(report.trimmedSegments).toBe(2);
  });

  it('stops when only active segments are left', async () => {
    await root.createTopic({ streamId: 's', name: 'tiny', partitionsCount: 3, maxTopicSize: 1024n });
    for (let p = 0; p < 3; p++) await send('tiny', p, 2);
    const report = await broker.runRetention();
    expect(report.trimmedSegments).toBe(0);
    expect((await root.getTopic({ streamId: 's', topicId: 'tiny' }))!.messagesCount).toBe(6n);
  });
});
