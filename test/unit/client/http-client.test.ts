import { randomUUID } from 'node:crypto';
import { globalOnly } from '../../support/permissions.js';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EmbeddedServer } from '../../../lib/broker/embedded-server.js';
import { createIggyClient, IggyError, IggyHttpClient, type IggyClient } from '../../../lib/client/index.js';
import { IggyErrorCode } from '../../../lib/protocol/codes/error-codes.js';
import { AccessTokenExpiry } from '../../../lib/protocol/commands/access-tokens/index.js';
import { ConsumerKind } from '../../../lib/protocol/primitives/consumer.js';
import { Partitioning } from '../../../lib/protocol/primitives/partitioning.js';
import { PollingStrategy } from '../../../lib/protocol/primitives/polling-strategy.js';
import { Header, stringKeyedHeaders } from '../../../lib/protocol/primitives/user-headers.js';

/**
 * IggyClient over HTTP against the embedded broker's Iggy HTTP API (the real server's routes), and
 * against a real server's when IGGY_SERVER_HTTP_ADDR=host:port is set (root user iggy / iggy).
 */
const real = process.env.IGGY_SERVER_HTTP_ADDR;
const targets: [string, string | null][] = [['embedded broker', null]];
if (real) targets.push(['real server', real]);
describe.each(targets)('IggyHttpClient → %s HTTP API', (_target, realAddress) => {
  let server: EmbeddedServer | undefined;
  let client: IggyClient;
  let base: string;
  const run = randomUUID().slice(0, 6);
  const S = `http-s-${run}`;

  beforeAll(async () => {
    if (realAddress) base = realAddress;
    else {
      server = await EmbeddedServer.start({
        persistent: false,
        tcpPort: null,
        httpPort: 0,
        rootPassword: 'iggy',
      });
      base = `127.0.0.1:${server.httpAddress!.port}`;
    }
    client = createIggyClient({
      protocol: 'http',
      addresses: [`http://${base}`],
      credentials: { username: 'iggy', password: 'iggy' },
    });
    await client.connect();
  });

  afterAll(async () => {
    await client?.deleteStream({ streamId: S }).catch(() => undefined);
    await client?.close();
    await server?.stop();
  });

  it('logs in for a JWT, learns the server version, manages streams and topics', async () => {
    expect(client).toBeInstanceOf(IggyHttpClient);
    expect(client.isConnected()).toBe(true);
    expect(client.serverVersion).toMatch(/^0\.[78]\.\d/);
    await client.ping();
    const stream = await client.createStream({ name: S });
    expect(stream).toMatchObject({ name: S, topicsCount: 0, topics: [] });
    const topic = await client.createTopic({ streamId: S, name: 't', partitionsCount: 2 });
    expect(topic.partitions.map((p) => p.id)).toEqual([0, 1]);
    expect((await client.getTopic({ streamId: stream.id, topicId: 't' }))?.partitionsCount).toBe(2);
    expect(await client.getStream({ streamId: 'missing' })).toBeNull();
    expect(await client.getTopic({ streamId: S, topicId: 'missing' })).toBeNull();
    expect((await client.getStreams()).map((s) => s.name)).toContain(S);
    await client.updateStream({ streamId: S, name: `${S}-2` });
    expect((await client.getStream({ streamId: stream.id }))?.name).toBe(`${S}-2`);
    await client.updateStream({ streamId: stream.id, name: S });
  });

  it('sends and polls messages with ids and headers; stores, reads and deletes offsets', async () => {
    const id = (1n << 127n) + 5n; // a u128 past 2^53: JSON numbers must stay exact
    await client.sendMessages({
      streamId: S,
      topicId: 't',
      partitioning: Partitioning.partitionId(1),
      messages: [
        { id, payload: Buffer.from('one'), headers: stringKeyedHeaders({ k: Header.uint64(2n ** 60n) }) },
        { payload: Buffer.from('two') },
      ],
    });
    const consumer = { kind: ConsumerKind.Consumer, id: 'http-reader' };
    const polled = await client.pollMessages({
      streamId: S,
      topicId: 't',
      consumer,
      partitionId: 1,
      strategy: PollingStrategy.first(),
      count: 10,
    });
    expect(polled.currentOffset).toBe(1n);
    expect(polled.messages.map((m) => m.payload.toString())).toEqual(['one', 'two']);
    expect(polled.messages[0]).toMatchObject({
      id,
      offset: 0n,
      headers: stringKeyedHeaders({ k: Header.uint64(2n ** 60n) }),
    });
    expect(polled.messages[1]!.id).not.toBe(0n);
    const target = { streamId: S, topicId: 't', consumer, partitionId: 1 };
    expect(await client.getOffset(target)).toBeNull();
    await client.storeOffset({ ...target, offset: 0n });
    expect(await client.getOffset(target)).toEqual({ partitionId: 1, currentOffset: 1n, storedOffset: 0n });
    const next = await client.pollMessages({ ...target, strategy: PollingStrategy.next(), count: 10 });
    expect(next.messages.map((m) => m.payload.toString())).toEqual(['two']);
    await client.deleteConsumerOffset(target);
    expect(await client.getOffset(target)).toBeNull();
    await client.flushUnsavedBuffer({ streamId: S, topicId: 't', partitionId: 1, fsync: true });
  });

  it('answers with the same typed errors as TCP', async () => {
    const missing = await client.deleteStream({ streamId: 'missing' }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(IggyError);
    expect(missing).toMatchObject({ code: IggyErrorCode.StreamIdNotFound });
    const exists = await client.createStream({ name: S }).catch((e: unknown) => e);
    expect(exists).toMatchObject({ code: IggyErrorCode.StreamNameAlreadyExists });
    const past = await client
      .storeOffset({
        streamId: S,
        topicId: 't',
        consumer: { kind: ConsumerKind.Consumer, id: 1 },
        partitionId: 0,
        offset: 5n,
      })
      .catch((e: unknown) => e);
    // Server 0.8 (and the embedded broker, which answers as 0.8) refuses an offset past the end; 0.7 stores it.
    if (client.serverVersion?.startsWith('0.7')) expect(past).toBeUndefined();
    else expect(past).toMatchObject({ code: IggyErrorCode.InvalidOffset });
    const join = await client
      .joinConsumerGroup({ streamId: S, topicId: 't', groupId: 'g' })
      .catch((e: unknown) => e);
    expect(join).toMatchObject({ code: IggyErrorCode.FeatureUnavailable });
    const wrong = createIggyClient({
      protocol: 'http',
      addresses: [base],
      credentials: { username: 'iggy', password: 'nope' },
    });
    await expect(wrong.connect()).rejects.toMatchObject({ code: IggyErrorCode.InvalidCredentials });
    await wrong.close();
  });

  it('bounds the requests waiting for a socket (Backpressure) and fails at once against a server that is down', async () => {
    const bounded = createIggyClient({
      protocol: 'http',
      addresses: [base],
      credentials: { username: 'iggy', password: 'iggy' },
      maxInFlight: 1,
      maxQueued: 2,
    });
    await bounded.connect();
    const calls = Array.from({ length: 5 }, () =>
      bounded.getStreams().then(
        () => 'ok',
        (e: unknown) => e,
      ),
    );
    const outcomes = await Promise.all(calls);
    expect(outcomes.slice(0, 3)).toEqual(['ok', 'ok', 'ok']);
    for (const refused of outcomes.slice(3)) expect(refused).toMatchObject({ kind: 'Backpressure' });
    expect(await bounded.getStreams()).toBeInstanceOf(Array); // room again once they are answered
    await bounded.close();

    // a port nothing listens on: refused at once, whatever offlineTimeoutMs says (a TCP-only wait)
    const closed = await import('node:net').then(
      ({ createServer }) =>
        new Promise<number>((resolve) => {
          const probe = createServer().listen(0, '127.0.0.1', () => {
            const { port } = probe.address() as { port: number };
            probe.close(() => resolve(port));
          });
        }),
    );
    const down = createIggyClient({
      protocol: 'http',
      addresses: [`127.0.0.1:${closed}`],
      offlineTimeoutMs: 60_000,
    });
    const startedAt = Date.now();
    await expect(down.connect()).rejects.toMatchObject({ kind: 'Connection' });
    expect(Date.now() - startedAt).toBeLessThan(5_000);
    await down.close();
  });

  it('logs in with a personal access token; users and permissions work', async () => {
    const { token } = await client.createAccessToken({
      name: `pat-${run}`,
      expiry: AccessTokenExpiry.Never,
    });
    const viaPat = createIggyClient({ protocol: 'http', addresses: [base], credentials: { token } });
    await viaPat.connect();
    expect((await viaPat.getStreams()).length).toBeGreaterThan(0);
    await viaPat.close();
    expect((await client.getAccessTokens()).map((t) => t.name)).toContain(`pat-${run}`);
    await client.deleteAccessToken({ name: `pat-${run}` });
    const user = await client.createUser({ username: `user-${run}`, password: 'secret-1', status: 1 });
    expect(user).toMatchObject({ username: `user-${run}`, permissions: null });
    const permissions = globalOnly({ readStreams: true, readTopics: true, pollMessages: true });
    await client.updatePermissions({ userId: user.id, permissions });
    expect((await client.getUser({ userId: `user-${run}` }))?.permissions).toEqual(permissions);
    const limited = createIggyClient({
      protocol: 'http',
      addresses: [base],
      credentials: { username: `user-${run}`, password: 'secret-1' },
    });
    await limited.connect();
    expect(limited.serverVersion).toBeNull(); // may not read stats
    const denied = await limited.createStream({ name: 'nope' }).catch((e: unknown) => e);
    expect(denied).toMatchObject({ code: IggyErrorCode.Unauthorized });
    await limited.logout();
    await limited.close();
    await client.deleteUser({ userId: user.id });
  });

  it('refuses requests without a valid token with 401 (the embedded broker keeps its dashboard beside the API)', async () => {
    const plain = await fetch(`http://${base}/streams`);
    expect(plain.status).toBe(realAddress ? 401 : 200); // embedded: the dashboard's inspection JSON
    const bad = await fetch(`http://${base}/streams`, { headers: { authorization: 'Bearer nope' } });
    expect(bad.status).toBe(401);
    const post = await fetch(`http://${base}/streams`, { method: 'POST', body: '{"name":"x"}' });
    expect(post.status).toBe(401);
    const untyped = await fetch(`http://${base}/users/login`, {
      method: 'POST',
      body: '{"username":"iggy"}',
    });
    expect(untyped.status).toBe(415); // a JSON body needs its content type, as axum's Json extractor says
    const garbage = await fetch(`http://${base}/users/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{not json',
    });
    expect(garbage.status).toBe(400);
    if (!realAddress) {
      expect(await garbage.json()).toMatchObject({
        id: IggyErrorCode.InvalidFormat,
        code: 'invalid_format',
      });
    }
  });
});
