import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { BrokerSession } from '../../../lib/broker/broker-session.js';
import type { Broker } from '../../../lib/broker/broker.js';
import { PartitioningKind, type Partitioning } from '../../../lib/broker/types.js';
import { batch, expectCode, memoryBroker, sendLanded } from './broker-kit.js';
import { MessageRun } from '../../../lib/protocol/messages/message-run.js';

const toPartition = (partitionId: number): Partitioning => ({
  kind: PartitioningKind.PartitionId,
  partitionId,
});

describe('Broker.onAppend: in-process append signal', () => {
  let broker: Broker;
  let root: BrokerSession;

  beforeEach(async () => {
    ({ broker, root } = await memoryBroker());
    await root.createStream({ name: 's' });
    await root.createTopic({ streamId: 's', name: 't', partitionsCount: 3 });
    await root.createTopic({ streamId: 's', name: 'other', partitionsCount: 1 });
  });
  afterEach(() => broker.close());

  it('tells the partition id once the messages are readable, for this topic only', async () => {
    const seen: [number, bigint][] = [];
    root.onAppend({ streamId: 's', topicId: 't' }, async (partitionId) => {
      const topic = (await root.getTopic({ streamId: 's', topicId: 't' }))!;
      seen.push([partitionId, topic.partitions[partitionId]!.messagesCount]);
    });
    await root.sendMessages({
      streamId: 's',
      topicId: 't',
      partitioning: toPartition(2),
      messages: new MessageRun(batch(['a', 'b']), 2),
    });
    await root.sendMessages({
      streamId: 's',
      topicId: 'other',
      partitioning: toPartition(0),
      messages: new MessageRun(batch(['x']), 1),
    });
    await root.sendMessages({
      streamId: 's',
      topicId: 't',
      partitioning: toPartition(0),
      messages: new MessageRun(batch(['c']), 1),
    });
    expect(seen).toEqual([
      [2, 2n],
      [0, 1n],
    ]);
  });

  it('stops after the returned function is called; a throwing listener does not fail the append', async () => {
    const calls: number[] = [];
    const stop = root.onAppend({ streamId: 's', topicId: 't' }, (p) => calls.push(p));
    root.onAppend({ streamId: 's', topicId: 't' }, () => {
      throw new Error('listener bug');
    });
    await root.sendMessages({
      streamId: 's',
      topicId: 't',
      partitioning: toPartition(1),
      messages: new MessageRun(batch(['a']), 1),
    });
    stop();
    stop();
    const result = await sendLanded(root, {
      streamId: 's',
      topicId: 't',
      partitioning: toPartition(1),
      messages: new MessageRun(batch(['b']), 1),
    });
    expect(result.firstOffset).toBe(1n);
    expect(calls).toEqual([1]);
  });

  it('fails with the not-found code of the missing stream or topic', async () => {
    await expectCode(
      () => root.onAppend({ streamId: 'nope', topicId: 't' }, () => undefined),
      'StreamIdNotFound',
    );
    await expectCode(
      () => root.onAppend({ streamId: 's', topicId: 'nope' }, () => undefined),
      'TopicIdNotFound',
    );
  });

  it('a topic deleted and created again does not signal the old listeners', async () => {
    const calls: number[] = [];
    root.onAppend({ streamId: 's', topicId: 'other' }, (p) => calls.push(p));
    await root.deleteTopic({ streamId: 's', topicId: 'other' });
    await root.createTopic({ streamId: 's', name: 'other', partitionsCount: 1 });
    await root.sendMessages({
      streamId: 's',
      topicId: 'other',
      partitioning: toPartition(0),
      messages: new MessageRun(batch(['x']), 1),
    });
    expect(calls).toEqual([]);
  });
});
