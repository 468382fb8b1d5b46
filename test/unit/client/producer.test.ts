import { afterEach, describe, expect, it } from '@jest/globals';
import { IggyClient, IggyError, Producer } from '../../../lib/client/index.js';
import { CommandCode } from '../../../lib/protocol/codes/command-codes.js';
import { IggyErrorCode } from '../../../lib/protocol/codes/error-codes.js';
import {
  sendMessagesCodec,
  type SendMessagesRequest,
} from '../../../lib/protocol/commands/messages/index.js';
import { encodeResponseFrame } from '../../../lib/protocol/framing.js';
import { MessageRun } from '../../../lib/protocol/messages/message-run.js';
import { FakeIggyPeer } from '../../support/fake-iggy-peer.js';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function setup(): Promise<{ peer: FakeIggyPeer; client: IggyClient }> {
  const peer = await FakeIggyPeer.start();
  const client = new IggyClient({ addresses: [peer.address] });
  cleanup.push(() => peer.close());
  cleanup.push(() => client.close());
  await client.connect();
  return { peer, client };
}

function sent(peer: FakeIggyPeer): SendMessagesRequest[] {
  return peer.requestsWith(CommandCode.SendMessages).map((r) => sendMessagesCodec.decodeRequest(r.payload));
}

function payloads(request: SendMessagesRequest): string[] {
  const messages = request.messages instanceof MessageRun ? request.messages.decode() : request.messages;
  return messages.map((m) => Buffer.from(m.payload).toString());
}

const msg = (text: string) => ({ payload: Buffer.from(text) });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Producer', () => {
  it('cuts batches at maxBatchSize and sends the rest on flush', async () => {
    const { peer, client } = await setup();
    const producer = new Producer(client, { streamId: 's', topicId: 't', maxBatchSize: 3, lingerMs: 10_000 });
    const sends = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((t) => producer.send(msg(t)));
    await peer.waitForRequests(2);
    expect(producer.pending).toBeGreaterThan(0);
    await producer.flush();
    await Promise.all(sends);
    const batches = sent(peer);
    expect(batches.map(payloads)).toEqual([['a', 'b', 'c'], ['d', 'e', 'f'], ['g']]);
    expect(batches[0]).toMatchObject({ streamId: 's', topicId: 't', partitioning: { kind: 1 } });
    expect(producer.pending).toBe(0);
  });

  it('waits lingerMs for more messages before sending a partial batch', async () => {
    const { peer, client } = await setup();
    const producer = new Producer(client, { streamId: 1, topicId: 2, lingerMs: 60 });
    const started = Date.now();
    const sends = [producer.send(msg('x')), producer.send(msg('y'))];
    await sleep(20);
    expect(peer.received).toHaveLength(0);
    await Promise.all(sends);
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
    expect(sent(peer).map(payloads)).toEqual([['x', 'y']]);
  });

  it('cuts batches at maxBatchBytes (64-byte header + payload per message)', async () => {
    const { peer, client } = await setup();
    const producer = new Producer(client, { streamId: 1, topicId: 2, maxBatchBytes: 400, lingerMs: 10_000 });
    const sends = [1, 2, 3, 4, 5].map((i) => producer.send(msg(String(i).repeat(100))));
    await producer.flush();
    await Promise.all(sends);
    expect(sent(peer).map((b) => payloads(b).length)).toEqual([2, 2, 1]);
  });

  it('batches per messages key, each batch carrying its key', async () => {
    const { peer, client } = await setup();
    const producer = new Producer(client, {
      streamId: 1,
      topicId: 2,
      lingerMs: 10_000,
      partitioning: { key: (m) => Buffer.from(m.payload).toString().slice(0, 1) },
    });
    const sends = ['a1', 'b1', 'a2', 'b2', 'c1'].map((t) => producer.send(msg(t)));
    await producer.flush();
    await Promise.all(sends);
    const batches = sent(peer).map((b) => ({
      key: b.partitioning.kind === 3 ? b.partitioning.key.toString() : '?',
      payloads: payloads(b),
    }));
    expect(batches).toEqual([
      { key: 'a', payloads: ['a1', 'a2'] },
      { key: 'b', payloads: ['b1', 'b2'] },
      { key: 'c', payloads: ['c1'] },
    ]);
  });

  it('sends to a fixed partition id', async () => {
    const { peer, client } = await setup();
    const producer = new Producer(client, {
      streamId: 1,
      topicId: 2,
      partitioning: { partitionId: 5 },
      lingerMs: 0,
    });
    await producer.send(msg('p'));
    expect(sent(peer)[0]!.partitioning).toEqual({ kind: 2, partitionId: 5 });
  });

  it('rejects every send of a failed batch with the server error, and only those', async () => {
    const { peer, client } = await setup();
    let n = 0;
    peer.handler = () =>
      n++ === 0 ? encodeResponseFrame(IggyErrorCode.TopicIdNotFound) : encodeResponseFrame(0);
    const producer = new Producer(client, { streamId: 1, topicId: 2, maxBatchSize: 2, lingerMs: 10_000 });
    const results = await Promise.allSettled(['a', 'b', 'c', 'd'].map((t) => producer.send(msg(t))));
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'fulfilled', 'fulfilled']);
    const reason = (results[0] as PromiseRejectedResult).reason as IggyError;
    expect(reason).toBeInstanceOf(IggyError);
    expect(reason.name).toBe('TopicIdNotFound');
  });

  it('holds batches beyond maxInFlightBatches until earlier ones are acknowledged', async () => {
    const { peer, client } = await setup();
    peer.handler = () => undefined;
    const producer = new Producer(client, {
      streamId: 1,
      topicId: 2,
      maxBatchSize: 1,
      maxInFlightBatches: 2,
    });
    const sends = ['a', 'b', 'c'].map((t) => producer.send(msg(t)));
    await peer.waitForRequests(2);
    await sleep(30);
    expect(peer.received).toHaveLength(2);
    peer.handler = () => encodeResponseFrame(0);
    peer.connections[0]!.reply(0);
    await peer.waitForRequests(3);
    peer.connections[0]!.reply(0);
    await Promise.all(sends);
    expect(sent(peer).map(payloads)).toEqual([['a'], ['b'], ['c']]);
  });

  it('rejects an invalid message at send() without poisoning its batch', async () => {
    const { client } = await setup();
    const producer = new Producer(client, { streamId: 1, topicId: 2, lingerMs: 0 });
    const bad = producer.send({ payload: Buffer.alloc(0) });
    const good = producer.send(msg('ok'));
    await expect(bad).rejects.toMatchObject({ kind: 'Protocol' });
    await expect(good).resolves.toBeUndefined();
  });

  it('close() flushes, is idempotent and refuses later sends', async () => {
    const { peer, client } = await setup();
    const producer = new Producer(client, { streamId: 1, topicId: 2, lingerMs: 10_000 });
    const pending = producer.send(msg('last'));
    const a = producer.close();
    expect(producer.close()).toBe(a);
    await a;
    await pending;
    expect(sent(peer).map(payloads)).toEqual([['last']]);
    await expect(producer.send(msg('late'))).rejects.toMatchObject({ kind: 'Closed' });
  });

  it('rejects bad options with Config', () => {
    const client = new IggyClient();
    expect(() => new Producer(client, { streamId: 1, topicId: 2, maxBatchSize: 0 })).toThrow(
      expect.objectContaining({ kind: 'Config' }),
    );
    expect(() => new Producer(client, { streamId: 1, topicId: 2, lingerMs: -1 })).toThrow(
      expect.objectContaining({ kind: 'Config' }),
    );
  });
});
