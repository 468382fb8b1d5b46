import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { Broker } from '../../../lib/broker/broker.js';
import type { BrokerSession } from '../../../lib/broker/broker-session.js';
import type { BrokerConfig } from '../../../lib/broker/broker-config.js';
import { ConsumerKind, PartitioningKind, PollingKind } from '../../../lib/broker/types.js';
import { batch, decode, login, pollBytes, tempDir } from './broker-kit.js';
import { MessageRun } from '../../../lib/protocol/messages/message-run.js';

/** 400-byte payloads: 464-byte messages, 3 to a 1 KiB segment, so 10 messages make 3 sealed segments + 1 active. */
const big = (i: number): string => `${i}`.padEnd(400, '.');
const EXPIRY_MICROS = 300_000n;

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 25));
  }
  return true;
}

describe('Broker: retention timer', () => {
  let broker: Broker | undefined;
  let cleanup: (() => Promise<void>) | undefined;

  afterEach(async () => {
    await broker?.close();
    broker = undefined;
    await cleanup?.();
    cleanup = undefined;
  });

  /** A persistent broker with 1 KiB segments, stream `s` with topics `short` (expiring) and `forever`. */
  async function open(config: BrokerConfig): Promise<{ root: BrokerSession; dir: string }> {
    const temp = await tempDir();
    cleanup = temp.cleanup;
    broker = await Broker.open({
      dataDir: temp.dir,
      segmentSizeBytes: 1024,
      rootPassword: 'iggy',
      ...config,
    });
    const root = await login(broker, 'iggy', 'iggy');
    await root.createStream({ name: 's' });
    await root.createTopic({
      streamId: 's',
      name: 'short',
      partitionsCount: 1,
      messageExpiry: EXPIRY_MICROS,
    });
    await root.createTopic({ streamId: 's', name: 'forever', partitionsCount: 1 });
    for (const topic of ['short', 'forever']) {
      for (let i = 0; i < 10; i++) {
        await root.sendMessages({
          streamId: 's',
          topicId: topic,
          partitioning: { kind: PartitioningKind.PartitionId, partitionId: 0 },
          messages: new MessageRun(batch([big(i)]), 1),
        });
      }
    }
    return { root, dir: temp.dir };
  }

  const partition = async (root: BrokerSession, topic: string) =>
    (await root.getTopic({ streamId: 's', topicId: topic }))!.partitions[0]!;

  const segmentFiles = async (dir: string, root: BrokerSession, topic: string): Promise<string[]> => {
    const streamId = (await root.getStream({ streamId: 's' }))!.id;
    const topicId = (await root.getTopic({ streamId: 's', topicId: topic }))!.id;
    const partitionDir = join(dir, 'streams', String(streamId), 'topics', String(topicId), 'partitions', '0');
    return (await readdir(partitionDir)).filter((f) => f.endsWith('.log')).sort();
  };

  it('removes expired sealed segments on its own, every retentionIntervalMs, keeping the active one', async () => {
    const { root, dir } = await open({ retentionIntervalMs: 50 });
    expect(await segmentFiles(dir, root, 'forever')).toHaveLength(4);

    // Nobody calls runRetention: only the timer can remove them.
    const removed = await waitFor(async () => (await partition(root, 'short')).segmentsCount === 1, 10_000);
    expect(removed).toBe(true);
    expect(await partition(root, 'short')).toMatchObject({
      segmentsCount: 1,
      messagesCount: 1n,
      currentOffset: 9n,
    });
    expect(await segmentFiles(dir, root, 'short')).toEqual([`${'9'.padStart(20, '0')}.log`]);
    const first = await pollBytes(root, {
      streamId: 's',
      topicId: 'short',
      consumer: { kind: ConsumerKind.Consumer, id: 1 },
      partitionId: 0,
      strategy: { kind: PollingKind.First, value: 0n },
      count: 10,
      autoCommit: false,
    });
    expect(decode(first.messages).map((m) => m.offset)).toEqual([9n]);

    // A topic without expiry is left alone by the same passes.
    expect(await partition(root, 'forever')).toMatchObject({ segmentsCount: 4, messagesCount: 10n });
    expect(await segmentFiles(dir, root, 'forever')).toHaveLength(4);
  });

  it('runs no pass when retentionIntervalMs is 0 (the expired segments stay until runRetention)', async () => {
    const { root } = await open({ retentionIntervalMs: 0 });
    await new Promise((r) => setTimeout(r, Number(EXPIRY_MICROS / 1000n) + 400));
    expect(await partition(root, 'short')).toMatchObject({ segmentsCount: 4, messagesCount: 10n });
    expect((await broker!.runRetention()).expiredMessages).toBe(9n);
    expect((await partition(root, 'short')).segmentsCount).toBe(1);
  });
});
