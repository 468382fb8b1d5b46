import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Broker } from '../../../../lib/broker/broker.js';
import { BrokerTcpServer } from '../../../../lib/broker/tcp/tcp-server.js';
import { IggyClient, IggyError } from '../../../../lib/client/index.js';
import { ConsumerKind } from '../../../../lib/protocol/primitives/consumer.js';
import { Partitioning } from '../../../../lib/protocol/primitives/partitioning.js';
import { PollingStrategy } from '../../../../lib/protocol/primitives/polling-strategy.js';
import { ROOT } from './tcp-kit.js';

/** Messages of `tag`: big enough that each request spans many socket reads (assembled in pooled buffers). */
function batch(tag: number): { payload: Buffer }[] {
  return Array.from({ length: 40 }, (_, i) => ({ payload: Buffer.alloc(8 * 1024, (tag * 41 + i) & 0xff) }));
}

describe('BrokerTcpServer reusing SendMessages buffers', () => {
  let dir: string;
  let broker: Broker;
  let server: BrokerTcpServer;
  let client: IggyClient;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'iggy-frame-recycling-'));
    broker = await Broker.open({
      dataDir: dir,
      fsync: { kind: 'never' },
      retentionIntervalMs: 0,
      rootPassword: ROOT.password,
    });
    server = new BrokerTcpServer(broker, { port: 0 });
    const { port } = await server.listen();
    client = new IggyClient({ addresses: [`127.0.0.1:${port}`], credentials: ROOT, reconnect: false });
    await client.connect();
  });

  afterAll(async () => {
    await client.close();
    await server.close(1_000);
    await broker.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('stores every pipelined batch intact, failed sends among them', async () => {
    const stream = await client.createStream({ name: 'recycling' });
    const topic = await client.createTopic({ streamId: stream.id, name: 'events', partitionsCount: 1 });
    const target = { streamId: stream.id, topicId: topic.id };
    const sends = Array.from({ length: 24 }, (_, tag) =>
      client.sendMessages({
        ...target,
        // Every fifth batch goes to a missing partition: refused, and its buffer is not reused.
        partitioning: Partitioning.partitionId(tag % 5 === 4 ? 9 : 0),
        messages: batch(tag),
      }),
    );
    const outcomes = await Promise.allSettled(sends);
    const stored = outcomes.flatMap((o, tag) => (o.status === 'fulfilled' ? [tag] : []));
    expect(stored).toHaveLength(20);
    for (const o of outcomes) {
      if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(IggyError);
    }

    const expected = stored.flatMap((tag) => batch(tag).map((m) => m.payload));
    const got: Buffer[] = [];
    while (got.length < expected.length) {
      const polled = await client.pollMessages({
        ...target,
        consumer: { kind: ConsumerKind.Consumer, id: 1 },
        partitionId: 0,
        strategy: PollingStrategy.offset(BigInt(got.length)),
        count: 100,
      });
      expect(polled.messages.length).toBeGreaterThan(0);
      got.push(...polled.messages.map((m) => m.payload));
    }
    expect(got.length).toBe(expected.length);
    got.forEach((payload, i) => expect(payload.equals(expected[i]!)).toBe(true));
  });
});
