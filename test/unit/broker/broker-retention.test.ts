import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { Broker } from '../../../lib/broker/broker.js';
import { ConsumerKind, PartitioningKind, PollingKind } from '../../../lib/broker/types.js';
import { batch, decode, memoryBroker } from './broker-kit.js';

/** 400-byte payloads: 464-byte messages, 3 to a 1 KiB segment. */
const big = (i: number): string => `${i}`.padEnd(400, '.');

describe('Broker: retention', () => {
  let broker: Broker;
  let root: number;

  const send = async (topic: string, partitionId: number, count: number): Promise<void> => {
    for (let i = 0; i < count; i++) {
      await broker.sendMessages(
        root,
        's',
        topic,
        { kind: PartitioningKind.PartitionId, partitionId },
        batch([big(i)]),
        1,
      );
    }
  };
  const firstOffset = async (topic: string, partitionId: number): Promise<bigint> => {
    const r = await broker.pollMessages(root, {
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
    await broker.createStream(root, 's');
  });
  afterEach(() => broker.close());

  it('message expiry removes whole sealed segments older than the expiry, never the active one', async () => {
    await broker.createTopic(root, 's', { name: 'short', partitionsCount: 1, messageExpiry: 300_000n });
    await broker.createTopic(root, 's', { name: 'forever', partitionsCount: 1 });
    await send('short', 0, 10);
    await send('forever', 0, 10);
    expect((await broker.runRetention()).expiredMessages).toBe(0n);
    await new Promise((resolve) => setTimeout(resolve, 350));
    const report = await broker.runRetention();
    expect(report.expiredMessages).toBe(9n);
    const short = broker.getTopic(root, 's', 'short')!;
    expect(short.partitions[0]).toMatchObject({ segmentsCount: 1, messagesCount: 1n, currentOffset: 9n });
    expect(await firstOffset('short', 0)).toBe(9n);
    expect(broker.getTopic(root, 's', 'forever')!.messagesCount).toBe(10n);
  });

  it('max topic size: at 90 % the oldest sealed segment across partitions goes until below', async () => {
    await broker.createTopic(root, 's', { name: 'capped', partitionsCount: 2, maxTopicSize: 4096n });
    await send('capped', 0, 6); // partition 0 first: its segments are the oldest
    await send('capped', 1, 6);
    const before = broker.getTopic(root, 's', 'capped')!;
    expect(before.sizeBytes).toBe(12n * 464n);
    const report = await broker.runRetention();
    const after = broker.getTopic(root, 's', 'capped')!;
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
    await broker.createTopic(root, 's', { name: 'tiny', partitionsCount: 3, maxTopicSize: 1024n });
    for (let p = 0; p < 3; p++) await send('tiny', p, 2);
    const report = await broker.runRetention();
    expect(report.trimmedSegments).toBe(0);
    expect(broker.getTopic(root, 's', 'tiny')!.messagesCount).toBe(6n);
  });
});
