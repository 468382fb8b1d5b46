import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { Broker } from '../../../lib/broker/broker.js';
import { PartitioningKind, type Partitioning } from '../../../lib/broker/types.js';
import { batch, expectCode, memoryBroker } from './broker-kit.js';

const toPartition = (partitionId: number): Partitioning => ({
  kind: PartitioningKind.PartitionId,
  partitionId,
});

describe('Broker.onAppend: in-process append signal', () => {
  let broker: Broker;
  let root: number;

  beforeEach(async () => {
    ({ broker, root } = await memoryBroker());
    await broker.createStream(root, 's');
    await broker.createTopic(root, 's', { name: 't', partitionsCount: 3 });
    await broker.createTopic(root, 's', { name: 'other', partitionsCount: 1 });
  });
  afterEach(() => broker.close());

  it('tells the partition id once the messages are readable, for this topic only', async () => {
    const seen: [number, bigint][] = [];
    broker.onAppend('s', 't', (partitionId) => {
      const topic = broker.getTopic(root, 's', 't')!;
      seen.push([partitionId, topic.partitions[partitionId]!.messagesCount]);
    });
    await broker.sendMessages(root, 's', 't', toPartition(2), batch(['a', 'b']), 2);
    await broker.sendMessages(root, 's', 'other', toPartition(0), batch(['x']), 1);
    await broker.sendMessages(root, 's', 't', toPartition(0), batch(['c']), 1);
    expect(seen).toEqual([
      [2, 2n],
      [0, 1n],
    ]);
  });

  it('stops after the returned function is called; a throwing listener does not fail the append', async () => {
    const calls: number[] = [];
    const stop = broker.onAppend('s', 't', (p) => calls.push(p));
    broker.onAppend('s', 't', () => {
      throw new Error('listener bug');
    });
    await broker.sendMessages(root, 's', 't', toPartition(1), batch(['a']), 1);
    stop();
    stop();
    const result = await broker.sendMessages(root, 's', 't', toPartition(1), batch(['b']), 1);
    expect(result.firstOffset).toBe(1n);
    expect(calls).toEqual([1]);
  });

  it('fails with the not-found code of the missing stream or topic', async () => {
    await expectCode(() => broker.onAppend('nope', 't', () => undefined), 'StreamIdNotFound');
    await expectCode(() => broker.onAppend('s', 'nope', () => undefined), 'TopicIdNotFound');
  });

  it('a topic deleted and created again does not signal the old listeners', async () => {
    const calls: number[] = [];
    broker.onAppend('s', 'other', (p) => calls.push(p));
    await broker.deleteTopic(root, 's', 'other');
    await broker.createTopic(root, 's', { name: 'other', partitionsCount: 1 });
    await broker.sendMessages(root, 's', 'other', toPartition(0), batch(['x']), 1);
    expect(calls).toEqual([]);
  });
});
