import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EmbeddedServer } from '../../../lib/broker/embedded-server.js';
import { IggyClient } from '../../../lib/client/iggy-client.js';
import { IggyErrorCode } from '../../../lib/protocol/codes/error-codes.js';
import { IggyError } from '../../../lib/protocol/iggy-error.js';
import type { IggySession } from '../../../lib/protocol/iggy-session.js';
import { ConsumerKind } from '../../../lib/protocol/primitives/consumer.js';
import { Partitioning } from '../../../lib/protocol/primitives/partitioning.js';
import { PollingStrategy } from '../../../lib/protocol/primitives/polling-strategy.js';

/**
 * `BrokerSession` is `IggyClient`'s interface in process: the same script of commands, run once on an
 * in-process session and once on an `IggyClient` over TCP to the same broker, gets the same results and
 * the same refusals (an `IggyError` with the server's code).
 */
describe('BrokerSession: IggyClient in process', () => {
  let server: EmbeddedServer;
  let client: IggyClient;

  beforeAll(async () => {
    server = await EmbeddedServer.start({
      persistent: false,
      rootPassword: 'iggy',
      tcpPort: 0,
      httpPort: null,
    });
    client = new IggyClient({
      addresses: [`127.0.0.1:${server.tcpAddress.port}`],
      credentials: { username: 'iggy', password: 'iggy' },
    });
    await client.connect();
  });

  afterAll(async () => {
    await client.close();
    await server.stop();
  });

  /** Runs the script on `session` in its own stream; returns what it saw, timestamps left out. */
  async function script(session: IggySession, stream: string): Promise<unknown[]> {
    const seen: unknown[] = [];
    const refusal = async (run: () => Promise<unknown>): Promise<unknown> => {
      const err = await run().then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(IggyError);
      return (err as IggyError).code;
    };
    const created = await session.createStream({ name: stream });
    seen.push({ ...created, id: undefined, createdAt: undefined, name: created.name === stream });
    seen.push(await refusal(() => session.createStream({ name: stream })));
    seen.push(await session.getTopic({ streamId: stream, topicId: 'missing' }));
    await session.createTopic({ streamId: stream, name: 't', partitionsCount: 2 });
    const topic = await session.getTopic({ streamId: stream, topicId: 't' });
    seen.push({ ...topic, id: undefined, createdAt: undefined, partitions: topic!.partitions.length });
    await session.sendMessages({
      streamId: stream,
      topicId: 't',
      partitioning: Partitioning.partitionId(1),
      messages: [{ payload: Buffer.from('a') }, { payload: Buffer.from('b'), id: 7n }],
    });
    const consumer = { kind: ConsumerKind.Consumer, id: 'c' } as const;
    const polled = await session.pollMessages({
      streamId: stream,
      topicId: 't',
      consumer,
      partitionId: 1,
      strategy: PollingStrategy.offset(0n),
      count: 10,
    });
    seen.push({
      partitionId: polled.partitionId,
      currentOffset: polled.currentOffset,
      messages: polled.messages.map((m) => [m.offset, m.payload.toString(), m.id === 7n]),
    });
    const run = await session.pollMessagesRun({
      streamId: stream,
      topicId: 't',
      consumer,
      partitionId: 1,
      strategy: PollingStrategy.offset(1n),
      count: 10,
    });
    seen.push(run.messages.decode().map((m) => m.payload.toString()));
    seen.push(await session.getOffset({ streamId: stream, topicId: 't', consumer, partitionId: 1 }));
    await session.storeOffset({ streamId: stream, topicId: 't', consumer, partitionId: 1, offset: 1n });
    seen.push(await session.getOffset({ streamId: stream, topicId: 't', consumer, partitionId: 1 }));
    const group = await session.createConsumerGroup({ streamId: stream, topicId: 't', name: 'g' });
    seen.push({ ...group, id: undefined });
    await session.joinConsumerGroup({ streamId: stream, topicId: 't', groupId: 'g' });
    const joined = await session.getConsumerGroup({ streamId: stream, topicId: 't', groupId: 'g' });
    seen.push([joined!.membersCount, joined!.members.map((m) => m.partitions)]);
    await session.leaveConsumerGroup({ streamId: stream, topicId: 't', groupId: 'g' });
    seen.push(await refusal(() => session.deleteTopic({ streamId: stream, topicId: 'missing' })));
    await session.deleteStream({ streamId: stream });
    seen.push(await session.getStream({ streamId: stream }));
    return seen;
  }

  it('answers a script of commands as IggyClient over TCP does, refusals included', async () => {
    const session = server.broker.openSession();
    try {
      const inProcess = await script(session, 'in-process');
      const overTcp = await script(client, 'over-tcp');
      expect(inProcess).toEqual(overTcp);
      expect(inProcess[1]).toBe(IggyErrorCode.StreamNameAlreadyExists);
    } finally {
      await session.close();
    }
  });

  it('signals appends in process and leaves its groups when closed', async () => {
    const session = server.broker.openSession();
    await session.createStream({ name: 'signals' });
    await session.createTopic({ streamId: 'signals', name: 't', partitionsCount: 1 });
    await session.createConsumerGroup({ streamId: 'signals', topicId: 't', name: 'g' });
    await session.joinConsumerGroup({ streamId: 'signals', topicId: 't', groupId: 'g' });
    const appended: number[] = [];
    const stop = session.onAppend({ streamId: 'signals', topicId: 't' }, (p) => appended.push(p));
    await session.sendMessages({
      streamId: 'signals',
      topicId: 't',
      partitioning: Partitioning.balanced(),
      messages: [{ payload: Buffer.from('x') }],
    });
    stop();
    expect(appended).toEqual([0]);
    await session.close();
    const other = server.broker.openSession();
    try {
      const group = await other.getConsumerGroup({ streamId: 'signals', topicId: 't', groupId: 'g' });
      expect(group!.membersCount).toBe(0);
      await other.deleteStream({ streamId: 'signals' });
    } finally {
      await other.close();
    }
  });
});
