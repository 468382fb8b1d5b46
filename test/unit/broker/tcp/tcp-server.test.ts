import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { BrokerSession } from '../../../../lib/broker/broker-session.js';
import { IggyError, type IggyClient } from '../../../../lib/client/index.js';
import { CommandCode } from '../../../../lib/protocol/codes/command-codes.js';
import { IggyErrorCode } from '../../../../lib/protocol/codes/error-codes.js';
import { pollMessagesCodec } from '../../../../lib/protocol/commands/messages/index.js';
import { getStreamCodec } from '../../../../lib/protocol/commands/streams/index.js';
import { encodeRequestFrame } from '../../../../lib/protocol/framing.js';
import { ConsumerKind } from '../../../../lib/protocol/primitives/consumer.js';
import { Partitioning } from '../../../../lib/protocol/primitives/partitioning.js';
import { PollingStrategy } from '../../../../lib/protocol/primitives/polling-strategy.js';
import { RawSocket } from '../../../support/raw-socket.js';
import { ROOT, startTcpFixture, unknownCommandCodec, type TcpFixture } from './tcp-kit.js';

async function rejection(promise: Promise<unknown>): Promise<IggyError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof IggyError) return error;
    throw error;
  }
  throw new Error('expected the request to fail');
}

async function eventually(check: () => Promise<boolean>, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const text = (s: string) => ({ payload: Buffer.from(s) });

describe('BrokerTcpServer', () => {
  let fx: TcpFixture;
  let root: IggyClient;

  beforeAll(async () => {
    fx = await startTcpFixture();
    root = await fx.client();
  });

  afterAll(async () => {
    await fx.stop();
  });

  it('logs in and answers ping and GetMe', async () => {
    await root.ping();
    const me = await root.getMe();
    expect(me.userId).toBe(0);
    expect(me.transport).toBe(1);
  });

  it('answers Unauthenticated (40) before login, ping works without it', async () => {
    const anonymous = await fx.client({ credentials: undefined });
    await anonymous.ping();
    expect((await rejection(anonymous.getStreams())).code).toBe(IggyErrorCode.Unauthenticated);
    await anonymous.login(ROOT.username, ROOT.password);
    expect(await anonymous.getStreams()).toEqual(expect.any(Array));
    await anonymous.logout();
    expect((await rejection(anonymous.getStreams())).code).toBe(IggyErrorCode.Unauthenticated);
  });

  it('answers InvalidCredentials (42) to a wrong password and keeps the connection', async () => {
    const anonymous = await fx.client({ credentials: undefined });
    expect((await rejection(anonymous.login('iggy', 'wrong'))).code).toBe(IggyErrorCode.InvalidCredentials);
    await anonymous.ping();
  });

  it('creates a stream and a topic, sends and polls messages', async () => {
    const stream = await root.createStream({ name: 'tcp-basics' });
    const topic = await root.createTopic({ streamId: stream.id, name: 'events', partitionsCount: 2 });
    expect(topic.partitions).toHaveLength(2);
    await root.sendMessages({
      streamId: stream.id,
      topicId: topic.id,
      partitioning: Partitioning.partitionId(1),
      messages: [text('a'), text('b'), text('c')],
    });
    const polled = await root.pollMessages({
      streamId: stream.id,
      topicId: topic.id,
      consumer: { kind: ConsumerKind.Consumer, id: 7 },
      partitionId: 1,
      strategy: PollingStrategy.first(),
      count: 10,
    });
    expect(polled.partitionId).toBe(1);
    expect(polled.currentOffset).toBe(2n);
    expect(polled.messages.map((m) => Buffer.from(m.payload).toString())).toEqual(['a', 'b', 'c']);
    expect(polled.messages.map((m) => m.offset)).toEqual([0n, 1n, 2n]);
    expect(await root.getStream({ streamId: 'tcp-basics' })).toMatchObject({
      topicsCount: 1,
      messagesCount: 3n,
    });
    expect(await root.getStream({ streamId: 'missing' })).toBeNull();
    expect((await rejection(root.createStream({ name: 'tcp-basics' }))).name).toBe('StreamNameAlreadyExists');
  });

  it('serves consumer groups: join, poll, leave, and a disconnect leaves the group', async () => {
    const stream = await root.createStream({ name: 'tcp-groups' });
    const topic = await root.createTopic({ streamId: stream.id, name: 't', partitionsCount: 2 });
    const target = { streamId: stream.id, topicId: topic.id };
    const group = await root.createConsumerGroup({ ...target, name: 'workers' });
    await root.sendMessages({ ...target, partitioning: Partitioning.partitionId(0), messages: [text('x')] });

    const a = await fx.client();
    const b = await fx.client();
    await a.joinConsumerGroup({ ...target, groupId: group.id });
    await b.joinConsumerGroup({ ...target, groupId: 'workers' });
    const details = await root.getConsumerGroup({ ...target, groupId: group.id });
    expect(details?.membersCount).toBe(2);
    expect(details?.members.flatMap((m) => m.partitions).sort()).toEqual([0, 1]);

    const groupConsumer = { kind: ConsumerKind.ConsumerGroup, id: group.id };
    const [pa, pb] = await Promise.all(
      [a, b].map((c) =>
        c.pollMessages({ ...target, consumer: groupConsumer, strategy: PollingStrategy.next(), count: 10 }),
      ),
    );
    expect([...pa!.messages, ...pb!.messages].map((m) => Buffer.from(m.payload).toString())).toEqual(['x']);

    await a.leaveConsumerGroup({ ...target, groupId: group.id });
    expect((await root.getConsumerGroup({ ...target, groupId: group.id }))?.membersCount).toBe(1);
    await b.close();
    await eventually(
      async () => (await root.getConsumerGroup({ ...target, groupId: group.id }))?.membersCount === 0,
    );
  });

  it('answers pipelined requests in order', async () => {
    const names = Array.from({ length: 60 }, (_, i) => `pipe-${i}`);
    const created = await Promise.all(names.map((name) => root.createStream({ name })));
    expect(created.map((s) => s.name)).toEqual(names);
    const fetched = await Promise.all(created.map((s) => root.getStream({ streamId: s.id })));
    expect(fetched.map((s) => s?.name)).toEqual(names);
  });

  it('serves pipelined sends in order, and a request after them sees them all', async () => {
    const stream = await root.createStream({ name: 'tcp-pipelined-sends' });
    const topic = await root.createTopic({ streamId: stream.id, name: 'events', partitionsCount: 1 });
    const target = { streamId: stream.id, topicId: topic.id };
    const send = (tag: string) =>
      root.sendMessages({
        ...target,
        partitioning: Partitioning.partitionId(0),
        messages: [text(`${tag}-0`), text(`${tag}-1`)],
      });
    const poll = () =>
      root.pollMessages({
        ...target,
        consumer: { kind: ConsumerKind.Consumer, id: 1 },
        partitionId: 0,
        strategy: PollingStrategy.first(),
        count: 100,
      });
    const payloads = (polled: Awaited<ReturnType<typeof poll>>) =>
      polled.messages.map((m) => m.payload.toString());
    const badPartition = root.sendMessages({
      ...target,
      partitioning: Partitioning.partitionId(5),
      messages: [text('never')],
    });
    const [, , firstPoll, , , bad, secondPoll] = await Promise.allSettled([
      send('a'),
      send('b'),
      poll(),
      send('c'),
      send('d'),
      badPartition,
      poll(),
    ]);
    expect(firstPoll).toMatchObject({ status: 'fulfilled' });
    expect(payloads((firstPoll as PromiseFulfilledResult<Awaited<ReturnType<typeof poll>>>).value)).toEqual([
      'a-0',
      'a-1',
      'b-0',
      'b-1',
    ]);
    expect(bad).toMatchObject({ status: 'rejected', reason: { name: 'PartitionNotFound' } });
    const all = (secondPoll as PromiseFulfilledResult<Awaited<ReturnType<typeof poll>>>).value;
    expect(payloads(all)).toEqual(['a-0', 'a-1', 'b-0', 'b-1', 'c-0', 'c-1', 'd-0', 'd-1']);
    expect(all.messages.map((m) => m.offset)).toEqual([0n, 1n, 2n, 3n, 4n, 5n, 6n, 7n]);
  });

  it('polls messages kept encoded (pollMessagesRun), decoded on demand like pollMessages', async () => {
    const stream = await root.createStream({ name: 'tcp-poll-run' });
    const topic = await root.createTopic({ streamId: stream.id, name: 'events', partitionsCount: 1 });
    const target = { streamId: stream.id, topicId: topic.id };
    await root.sendMessages({
      ...target,
      partitioning: Partitioning.partitionId(0),
      messages: [text('x'), { payload: Buffer.from('y'), headers: [] }, text('z')],
    });
    const request = {
      ...target,
      consumer: { kind: ConsumerKind.Consumer, id: 1 },
      partitionId: 0,
      strategy: PollingStrategy.offset(1n),
      count: 10,
    };
    const eager = await root.pollMessages(request);
    const lazy = await root.pollMessagesRun(request);
    expect(lazy).toMatchObject({ partitionId: 0, currentOffset: 2n });
    expect(lazy.messages.count).toBe(2);
    expect([...lazy.messages.iterate()]).toEqual(eager.messages);
  });

  it('answers pipelined raw frames FIFO, errors included', async () => {
    const raw = await RawSocket.connect(fx.port);
    try {
      raw.write(
        Buffer.concat([
          encodeRequestFrame(CommandCode.Ping),
          encodeRequestFrame(CommandCode.GetStreams),
          encodeRequestFrame(4242),
          encodeRequestFrame(CommandCode.LoginUser, Buffer.from([1, 2, 3])),
          encodeRequestFrame(CommandCode.Ping),
        ]),
      );
      const statuses = [];
      for (let i = 0; i < 5; i++) statuses.push((await raw.next()).status);
      expect(statuses).toEqual([
        0,
        IggyErrorCode.Unauthenticated,
        IggyErrorCode.InvalidCommand,
        IggyErrorCode.InvalidFormat,
        0,
      ]);
      expect(raw.isClosed).toBe(false);
    } finally {
      raw.close();
    }
  });

  it('answers InvalidCommand (3) to an unknown command and keeps serving the connection', async () => {
    const error = await rejection(root.request(unknownCommandCodec(9_999), undefined));
    expect(error.code).toBe(IggyErrorCode.InvalidCommand);
    await root.ping();
  });

  it('answers a malformed payload with the decoder error and keeps the connection', async () => {
    const raw = await RawSocket.connect(fx.port);
    try {
      raw.write(encodeRequestFrame(CommandCode.LoginUser, loginPayload('iggy', 'iggy')));
      expect((await raw.next()).status).toBe(0);
      raw.write(encodeRequestFrame(CommandCode.GetStream, Buffer.from([9, 9, 9])));
      expect((await raw.next()).status).not.toBe(0);
      raw.write(
        encodeRequestFrame(CommandCode.GetStream, getStreamCodec.encodeRequest({ streamId: 'nope' })),
      );
      const ok = await raw.next();
      expect(ok).toEqual({ status: 0, payload: Buffer.alloc(0) });
    } finally {
      raw.close();
    }
  });

  it('rejects an oversized control frame from its header and closes the connection', async () => {
    const raw = await RawSocket.connect(fx.port);
    const header = Buffer.alloc(8);
    header.writeUInt32LE(4 + 10 * 1024 * 1024 + 1, 0);
    header.writeUInt32LE(CommandCode.CreateStream, 4);
    raw.write(Buffer.concat([encodeRequestFrame(CommandCode.Ping), header]));
    expect((await raw.next()).status).toBe(0);
    expect((await raw.next()).status).toBe(IggyErrorCode.InvalidCommand);
    await raw.waitClosed();
  });

  it('rejects a length field below 4 and closes the connection', async () => {
    const raw = await RawSocket.connect(fx.port);
    raw.write(Buffer.from([2, 0, 0, 0, 1, 0, 0, 0]));
    expect((await raw.next()).status).toBe(IggyErrorCode.InvalidCommand);
    await raw.waitClosed();
  });
});

describe('BrokerTcpServer connections', () => {
  it('counts connections and drops the broker client when its socket closes', async () => {
    const fx = await startTcpFixture();
    try {
      const root = await fx.client();
      const raw = await RawSocket.connect(fx.port);
      await eventually(async () => fx.server.connectionCount === 2);
      expect(await root.getClients()).toHaveLength(2);
      raw.close();
      await eventually(async () => fx.server.connectionCount === 1);
      expect(await root.getClients()).toHaveLength(1);
    } finally {
      await fx.stop();
    }
  });
});

describe('BrokerTcpServer limits', () => {
  it('rejects a SendMessages frame above maxFrameBytes', async () => {
    const fx = await startTcpFixture({ maxFrameBytes: 1024 });
    try {
      const client = await fx.client();
      const stream = await client.createStream({ name: 's' });
      const topic = await client.createTopic({ streamId: stream.id, name: 't', partitionsCount: 1 });
      const target = { streamId: stream.id, topicId: topic.id, partitioning: Partitioning.balanced() };
      await client.sendMessages({ ...target, messages: [{ payload: Buffer.alloc(100) }] });
      const big = client.sendMessages({ ...target, messages: [{ payload: Buffer.alloc(2_000) }] });
      await expect(big).rejects.toMatchObject({ code: IggyErrorCode.InvalidCommand });
    } finally {
      await fx.stop();
    }
  });
});

describe('BrokerTcpServer graceful shutdown', () => {
  it('finishes in-flight and already received requests, then closes and refuses new connections', async () => {
    const fx = await startTcpFixture();
    const client = await fx.client();
    const original = BrokerSession.prototype.createStream;
    const slowed = jest.spyOn(BrokerSession.prototype, 'createStream').mockImplementation(async function (
      this: BrokerSession,
      request,
    ) {
      await new Promise((r) => setTimeout(r, 150));
      return original.call(this, request);
    });
    const slow = client.createStream({ name: 'slow' });
    const behind = client.getStreams();
    await new Promise((r) => setTimeout(r, 30));
    const closing = fx.server.close(5_000);
    await expect(slow).resolves.toMatchObject({ name: 'slow' });
    await expect(behind).resolves.toEqual([expect.objectContaining({ name: 'slow' })]);
    await closing;
    await expect(RawSocket.connect(fx.port)).rejects.toThrow();
    slowed.mockRestore();
    await fx.stop();
  });

  it('destroys connections still busy after the timeout', async () => {
    const fx = await startTcpFixture();
    const client = await fx.client();
    const original = BrokerSession.prototype.createStream;
    let release = (): void => undefined;
    const released = new Promise<void>((r) => (release = r));
    const stall = jest.spyOn(BrokerSession.prototype, 'createStream').mockImplementation(async function (
      this: BrokerSession,
      request,
    ) {
      await released;
      return original.call(this, request);
    });
    const stuck = client.createStream({ name: 'stuck' }).then(
      () => 'answered',
      () => 'failed',
    );
    await new Promise((r) => setTimeout(r, 30));
    const started = Date.now();
    await fx.server.close(200);
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(await stuck).toBe('failed');
    release();
    stall.mockRestore();
    await fx.stop();
  });
});

function loginPayload(username: string, password: string): Buffer {
  const u = Buffer.from(username);
  const p = Buffer.from(password);
  return Buffer.concat([
    Buffer.from([u.length]),
    u,
    Buffer.from([p.length]),
    p,
    Buffer.alloc(4),
    Buffer.alloc(4),
  ]);
}

describe('BrokerTcpServer backpressure', () => {
  it('stops serving a client that does not read its answers, and resumes when it does', async () => {
    let served = 0;
    const fx = await startTcpFixture({ observer: { request: () => void served++ } });
    try {
      const client = await fx.client();
      const stream = await client.createStream({ name: 'big' });
      const topic = await client.createTopic({ streamId: stream.id, name: 't', partitionsCount: 1 });
      const target = { streamId: stream.id, topicId: topic.id };
      const messages = Array.from({ length: 100 }, () => ({ payload: Buffer.alloc(10_000, 1) }));
      await client.sendMessages({ ...target, partitioning: Partitioning.partitionId(0), messages });

      const raw = await RawSocket.connect(fx.port);
      raw.write(encodeRequestFrame(CommandCode.LoginUser, loginPayload('iggy', 'iggy')));
      expect((await raw.next()).status).toBe(0);
      raw.socket.pause();
      const poll = pollMessagesCodec.encodeRequest({
        ...target,
        consumer: { kind: ConsumerKind.Consumer, id: 1 },
        partitionId: 0,
        strategy: PollingStrategy.first(),
        count: 100,
        autoCommit: false,
      });
      const POLLS = 300; // ~300 MB of answers if the server buffered them all
      const before = served;
      raw.write(
        Buffer.concat(
          Array.from({ length: POLLS }, () => encodeRequestFrame(CommandCode.PollMessages, poll)),
        ),
      );
      await new Promise((r) => setTimeout(r, 500));
      expect(served - before).toBeLessThan(100);
      raw.socket.resume();
      for (let i = 0; i < POLLS; i++) expect((await raw.next()).status).toBe(0);
      expect(served - before).toBe(POLLS);
      raw.close();
    } finally {
      await fx.stop();
    }
  });
});
