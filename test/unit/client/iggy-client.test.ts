import { afterEach, describe, expect, it } from '@jest/globals';
import { IggyClient, IggyClientError, IggyError } from '../../../lib/client/index.js';
import { CommandCode } from '../../../lib/protocol/codes/command-codes.js';
import { IggyErrorCode } from '../../../lib/protocol/codes/error-codes.js';
import { getStreamCodec, type StreamDetails } from '../../../lib/protocol/commands/streams/index.js';
import { loginUserCodec } from '../../../lib/protocol/commands/session/index.js';
import { getStatsCodec, type Stats } from '../../../lib/protocol/commands/system/get-stats.js';
import { encodeResponseFrame } from '../../../lib/protocol/framing.js';
import { closedPort, FakeIggyPeer } from '../../support/fake-iggy-peer.js';

function stream(id: number): StreamDetails {
  return { id, createdAt: 1n, topicsCount: 0, sizeBytes: 0n, messagesCount: 0n, name: `s${id}`, topics: [] };
}

/** The stream id a GetStream request asks for (numeric identifier: kind 1 · len 4 · u32). */
function askedStreamId(payload: Buffer): number {
  return payload.readUInt32LE(2);
}

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function setup(
  options: ConstructorParameters<typeof IggyClient>[0] = {},
): Promise<{ peer: FakeIggyPeer; client: IggyClient }> {
  const peer = await FakeIggyPeer.start();
  const client = new IggyClient({ addresses: [peer.address], ...options });
  cleanup.push(() => peer.close());
  cleanup.push(() => client.close());
  return { peer, client };
}

/** Connects `client`, then drops its connection at the peer; resolves once the client waits to reconnect. */
async function connectThenLose(peer: FakeIggyPeer, client: IggyClient): Promise<void> {
  await client.connect();
  await peer.waitForConnections(1);
  const reconnecting = new Promise((resolve) => client.once('reconnecting', resolve));
  peer.dropConnections();
  await reconnecting;
}

function kindOf(err: unknown): string | undefined {
  return err instanceof IggyClientError ? err.kind : undefined;
}

describe('IggyClient pipelining', () => {
  it('writes several requests before any answer and matches answers in FIFO order', async () => {
    const { peer, client } = await setup();
    peer.handler = () => undefined; // hold every answer
    await client.connect();
    const calls = [3, 1, 4, 1, 5].map((id) => client.getStream({ streamId: id }));
    await peer.waitForRequests(5);
    expect(client.inFlight).toBe(5);
    const conn = peer.connections[0]!;
    for (const r of conn.requests)
      conn.reply(0, getStreamCodec.encodeResponse(stream(askedStreamId(r.payload) * 10)));
    const results = await Promise.all(calls);
    expect(results.map((s) => s?.id)).toEqual([30, 10, 40, 10, 50]);
  });

  it('holds requests beyond maxInFlight in a queue (backpressure, not failure)', async () => {
    const { peer, client } = await setup({ maxInFlight: 2 });
    peer.handler = () => undefined;
    await client.connect();
    const calls = [1, 2, 3, 4, 5].map((id) => client.getStream({ streamId: id }));
    await peer.waitForRequests(2);
    await new Promise((r) => setTimeout(r, 50));
    expect(peer.received).toHaveLength(2);
    expect(client.inFlight).toBe(2);
    expect(client.queued).toBe(3);
    const conn = peer.connections[0]!;
    conn.reply(0, getStreamCodec.encodeResponse(stream(1)));
    await peer.waitForRequests(3);
    expect(askedStreamId(peer.received[2]!.payload)).toBe(3);
    peer.handler = (r) =>
      encodeResponseFrame(0, getStreamCodec.encodeResponse(stream(askedStreamId(r.payload))));
    for (const r of conn.requests.slice(1))
      conn.reply(0, getStreamCodec.encodeResponse(stream(askedStreamId(r.payload))));
    const results = await Promise.all(calls);
    expect(results.map((s) => s?.id)).toEqual([1, 2, 3, 4, 5]);
  });

  it('rejects a timed-out request with Timeout and drops its late answer', async () => {
    const { peer, client } = await setup({ requestTimeoutMs: 100 });
    peer.handler = () => undefined;
    await client.connect();
    const slow = client.getStream({ streamId: 1 });
    await expect(slow).rejects.toMatchObject({
      name: 'IggyClientError',
      kind: 'Timeout',
      command: 'GetStream',
    });
    const next = client.getStream({ streamId: 2 });
    await peer.waitForRequests(2);
    const conn = peer.connections[0]!;
    conn.reply(0, getStreamCodec.encodeResponse(stream(1))); // the late answer to the first
    conn.reply(0, getStreamCodec.encodeResponse(stream(2)));
    expect((await next)?.id).toBe(2);
    expect(client.isConnected()).toBe(true);
  });

  it('drops a connection whose timed-out request stays unanswered for another timeout', async () => {
    const { peer, client } = await setup({ requestTimeoutMs: 80, reconnect: { initialDelayMs: 10 } });
    peer.handler = (r) => (r.connection === 0 ? undefined : encodeResponseFrame(0));
    await client.connect();
    const disconnected = new Promise<IggyClientError>((resolve) => client.once('disconnected', resolve));
    await expect(client.ping()).rejects.toMatchObject({ kind: 'Timeout' });
    expect((await disconnected).kind).toBe('Disconnected');
    await new Promise<void>((resolve) => client.once('connected', () => resolve()));
    await expect(client.ping()).resolves.toBeUndefined();
  });

  it('refuses requests beyond maxQueued / maxQueuedBytes with Backpressure, without writing them', async () => {
    const { peer, client } = await setup({ maxInFlight: 1, maxQueued: 3, maxQueuedBytes: 1_000_000 });
    peer.handler = () => undefined;
    await client.connect();
    const calls = [1, 2, 3, 4, 5].map((id) => client.getStream({ streamId: id }).catch((e: unknown) => e));
    const outcomes = await Promise.all(calls.slice(3));
    expect(outcomes.map(kindOf)).toEqual(['Backpressure', 'Backpressure']);
    await peer.waitForRequests(1);
    await new Promise((r) => setTimeout(r, 20));
    expect(peer.requestsWith(CommandCode.GetStream)).toHaveLength(1);
    expect(client.queued).toBe(2); // written: 1; waiting for the window: 2; refused: 2

    const { client: small } = await setup({ maxQueuedBytes: 40 });
    await small.connect();
    // each GetStream request is 8 + 6 bytes: two fit in 40, the third does not; one alone always fits
    const sends = [1, 2, 3].map((id) => small.getStream({ streamId: id }).catch((e: unknown) => e));
    expect(kindOf(await sends[2])).toBe('Backpressure');
  });

  it('times out a request still waiting in the queue without ever writing it', async () => {
    const { peer, client } = await setup({ maxInFlight: 1, requestTimeoutMs: 5000 });
    peer.handler = () => undefined;
    await client.connect();
    const first = client.ping();
    const second = client.request(getStreamCodec, { streamId: 9 }, { timeoutMs: 50 });
    await expect(second).rejects.toMatchObject({ kind: 'Timeout' });
    peer.connections[0]!.reply(0);
    await first;
    await new Promise((r) => setTimeout(r, 30));
    expect(peer.received.map((r) => r.code)).toEqual([CommandCode.Ping]);
  });
});

describe('IggyClient errors', () => {
  it('turns a non-zero status into IggyError with code and name', async () => {
    const { peer, client } = await setup();
    peer.handler = () => encodeResponseFrame(IggyErrorCode.StreamIdNotFound);
    await client.connect();
    const err = await client.deleteStream({ streamId: 7 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IggyError);
    expect(err).toMatchObject({ code: 1009, name: 'StreamIdNotFound', command: 'DeleteStream' });
  });

  it('rejects an undecodable answer with Protocol and keeps the connection', async () => {
    const { peer, client } = await setup();
    peer.handler = (r) =>
      encodeResponseFrame(0, r.code === CommandCode.Ping ? Buffer.from([1, 2, 3]) : Buffer.alloc(0));
    await client.connect();
    const err = await client.ping().catch((e: unknown) => e);
    expect(kindOf(err)).toBe('Protocol');
    expect((err as Error).cause).toMatchObject({ name: 'ProtocolError' });
    peer.handler = () => encodeResponseFrame(0);
    await expect(client.ping()).resolves.toBeUndefined();
    expect(peer.connections).toHaveLength(1);
  });

  it('rejects a request that cannot be encoded with Protocol, before writing anything', async () => {
    const { peer, client } = await setup();
    await client.connect();
    await expect(client.createStream({ name: '' })).rejects.toMatchObject({ kind: 'Protocol' });
    expect(peer.received).toHaveLength(0);
  });

  it('treats a frame above maxResponseBytes as a protocol failure of the connection', async () => {
    const { peer, client } = await setup({ maxResponseBytes: 16, reconnect: false });
    peer.handler = () => encodeResponseFrame(0, Buffer.alloc(17));
    await client.connect();
    await expect(client.ping()).rejects.toMatchObject({ kind: 'Protocol' });
    expect(client.state).toBe('disconnected');
  });

  it('requests before connect() fail fast with Disconnected', async () => {
    const { client } = await setup();
    await expect(client.ping()).rejects.toMatchObject({ kind: 'Disconnected' });
  });
});

describe('IggyClient connecting', () => {
  it('logs in with the configured credentials on connect', async () => {
    const { peer, client } = await setup({ credentials: { username: 'iggy', password: 'secret' } });
    await client.connect();
    const login = peer.requestsWith(CommandCode.LoginUser);
    expect(login).toHaveLength(1);
    expect(loginUserCodec.decodeRequest(login[0]!.payload)).toMatchObject({
      username: 'iggy',
      password: 'secret',
    });
  });

  it('fails connect() with the login IggyError and leaves the client reusable', async () => {
    const { peer, client } = await setup({ credentials: { username: 'iggy', password: 'wrong' } });
    peer.handler = () => encodeResponseFrame(IggyErrorCode.InvalidCredentials);
    await expect(client.connect()).rejects.toMatchObject({ code: 42, name: 'InvalidCredentials' });
    expect(client.state).toBe('idle');
  });

  it('tries the addresses in order: a refused first address fails over to the second', async () => {
    const peer = await FakeIggyPeer.start();
    cleanup.push(() => peer.close());
    const refused = await closedPort();
    const client = new IggyClient({ addresses: [`127.0.0.1:${refused}`, peer.address] });
    cleanup.push(() => client.close());
    const connected = new Promise<{ address: string }>((resolve) => client.once('connected', resolve));
    await client.connect();
    expect((await connected).address).toBe(peer.address);
    expect(client.address).toBe(peer.address);
    await client.ping();
  });

  it('fails with Connection when no address answers', async () => {
    const client = new IggyClient({
      addresses: [`127.0.0.1:${await closedPort()}`, `127.0.0.1:${await closedPort()}`],
    });
    const err = await client.connect().catch((e: unknown) => e);
    expect(kindOf(err)).toBe('Connection');
    expect((err as Error).message).toMatch(/no address answered/);
    await client.close();
  });

  it('logs in with a personal access token from a connection string', async () => {
    const peer = await FakeIggyPeer.start();
    cleanup.push(() => peer.close());
    const client = IggyClient.fromConnectionString(`iggy://tok%2Fen@${peer.address}`);
    cleanup.push(() => client.close());
    await client.connect();
    const logins = peer.requestsWith(CommandCode.LoginWithAccessToken);
    expect(logins).toHaveLength(1);
    expect(logins[0]!.payload.subarray(1).toString()).toBe('tok/en');
  });
});

describe('IggyClient reconnect', () => {
  it('rejects in-flight requests with Disconnected, reconnects, logs in again and runs queued requests', async () => {
    const { peer, client } = await setup({
      credentials: { username: 'u', password: 'p' },
      reconnect: { initialDelayMs: 20, maxDelayMs: 50 },
      detectServerVersion: false,
    });
    const events: string[] = [];
    client.on('connected', () => events.push('connected'));
    client.on('disconnected', () => events.push('disconnected'));
    client.on('reconnecting', (i) => events.push(`reconnecting#${i.attempt}`));
    peer.handler = (r, c) =>
      c.index === 0 && r.code !== CommandCode.LoginUser ? undefined : defaultAnswer(r.code);
    await client.connect();
    const inflight = [client.ping(), client.ping()];
    await peer.waitForRequests(3);
    peer.dropConnections();
    for (const p of inflight)
      await expect(p).rejects.toMatchObject({ kind: 'Disconnected', command: 'Ping' });
    const queued = client.ping(); // issued while reconnecting: waits, then goes out after the re-login
    await queued;
    expect(peer.connections).toHaveLength(2);
    expect(peer.connections[1]!.requests.map((r) => r.code)).toEqual([
      CommandCode.LoginUser,
      CommandCode.Ping,
    ]);
    expect(loginUserCodec.decodeRequest(peer.connections[1]!.requests[0]!.payload)).toMatchObject({
      username: 'u',
      password: 'p',
    });
    expect(events).toEqual(['connected', 'disconnected', 'reconnecting#1', 'connected']);
  });

  it("takes the server's unsolicited Disconnected goodbye frame as a disconnect, not as an answer", async () => {
    const { peer, client } = await setup({ reconnect: { initialDelayMs: 10 } });
    peer.handler = () => undefined;
    await client.connect();
    const inflight = client.ping();
    await peer.waitForRequests(1);
    const disconnected = new Promise<IggyClientError>((resolve) => client.once('disconnected', resolve));
    peer.connections[0]!.reply(IggyErrorCode.Disconnected); // what a 0.7 server writes on shutdown
    await expect(inflight).rejects.toMatchObject({ name: 'IggyClientError', kind: 'Disconnected' });
    expect((await disconnected).kind).toBe('Disconnected');
    peer.handler = () => encodeResponseFrame(0);
    await new Promise<void>((resolve) => client.once('connected', () => resolve()));
    await expect(client.ping()).resolves.toBeUndefined();
  });

  it("takes the server's FIN as the end of the connection at once: nothing more is written to it", async () => {
    const { peer, client } = await setup({ reconnect: { initialDelayMs: 10 }, detectServerVersion: false });
    await client.connect();
    const disconnected = new Promise<IggyClientError>((resolve) => client.once('disconnected', resolve));
    peer.connections[0]!.socket.end(); // a server that shuts its side (a killed process's kernel does so)
    expect((await disconnected).message).toMatch(/closed by the server/);
    await expect(client.ping()).resolves.toBeUndefined(); // waited for the reconnection
    expect(peer.connections[0]!.requests.map((r) => r.code)).toEqual([]);
    expect(peer.connections[1]!.requests.map((r) => r.code)).toEqual([CommandCode.Ping]);
  });

  it('treats an unsolicited answer as a protocol failure and reconnects', async () => {
    const { peer, client } = await setup({ reconnect: { initialDelayMs: 10 } });
    await client.connect();
    const disconnected = new Promise<IggyClientError>((resolve) => client.once('disconnected', resolve));
    peer.connections[0]!.reply(0, Buffer.from([1]));
    expect((await disconnected).kind).toBe('Protocol');
    await new Promise<void>((resolve) => client.once('connected', () => resolve()));
    await client.ping();
  });

  it('re-logs in with the credentials of the last login() call', async () => {
    const { peer, client } = await setup({ reconnect: { initialDelayMs: 5 } });
    await client.connect();
    await client.login('alice', 'pw1');
    peer.dropConnections();
    await new Promise<void>((resolve) => client.once('connected', () => resolve()));
    const logins = peer
      .requestsWith(CommandCode.LoginUser)
      .map((r) => loginUserCodec.decodeRequest(r.payload).username);
    expect(logins).toEqual(['alice', 'alice']);
    expect(peer.requestsWith(CommandCode.LoginUser)[1]!.connection).toBe(1);
  });

  it('keeps retrying with backoff while the server is away, then gives up after maxAttempts', async () => {
    const { peer, client } = await setup({
      reconnect: { initialDelayMs: 5, maxDelayMs: 10, maxAttempts: 3 },
    });
    await client.connect();
    const errors: Error[] = [];
    client.on('error', (e) => errors.push(e));
    const attempts: number[] = [];
    client.on('reconnecting', (i) => attempts.push(i.attempt));
    const disconnected = new Promise((resolve) => client.once('disconnected', resolve));
    await peer.close();
    await disconnected;
    const waiting = client.ping(); // waits through the attempts, fails when the client gives up
    await expect(waiting).rejects.toMatchObject({ kind: 'Disconnected' });
    expect(attempts).toEqual([1, 2, 3]);
    expect(client.state).toBe('disconnected');
    expect(errors.at(-1)?.message).toMatch(/gave up reconnecting after 3 attempts/);
    await expect(client.ping()).rejects.toMatchObject({ kind: 'Disconnected' });
  });

  it('fails fast with Disconnected when reconnect is disabled', async () => {
    const { peer, client } = await setup({ reconnect: false });
    await client.connect();
    const disconnected = new Promise((resolve) => client.once('disconnected', resolve));
    peer.dropConnections();
    await disconnected;
    expect(client.state).toBe('disconnected');
    await expect(client.ping()).rejects.toMatchObject({ kind: 'Disconnected' });
    await client.connect(); // an explicit connect() starts over
    await expect(client.ping()).resolves.toBeUndefined();
  });

  it('waits offlineTimeoutMs for a lost connection, then fails what waits and every new request at once', async () => {
    const { peer, client } = await setup({
      reconnect: { initialDelayMs: 10_000 },
      requestTimeoutMs: 60_000,
      offlineTimeoutMs: 50,
    });
    await client.connect();
    const disconnected = new Promise((resolve) => client.once('disconnected', resolve));
    peer.dropConnections();
    await disconnected;
    expect(client.state).toBe('reconnecting');
    const waiting = client.ping(); // queued: would wait 60 s for its timeout without the offline limit
    await expect(waiting).rejects.toMatchObject({ kind: 'Disconnected' });
    await expect(waiting).rejects.toThrow(/not reconnected within 50 ms/);
    await expect(client.ping()).rejects.toThrow(/disconnected for more than 50 ms/);
    expect(client.state).toBe('reconnecting'); // still trying
  });

  it('reconnectNow cuts the backoff short: the next attempt starts at once', async () => {
    const { peer, client } = await setup({
      reconnect: { initialDelayMs: 30_000, maxDelayMs: 30_000, jitter: 0 },
    });
    await connectThenLose(peer, client);
    const started = Date.now();
    const connected = new Promise((resolve) => client.once('connected', resolve));
    client.reconnectNow();
    await connected;
    expect(Date.now() - started).toBeLessThan(2_000);
    await expect(client.ping()).resolves.toBeUndefined();
  });

  it('goes back to queueing requests once reconnected after an offline spell', async () => {
    const { peer, client } = await setup({
      reconnect: { initialDelayMs: 200, maxDelayMs: 200, jitter: 0 },
      offlineTimeoutMs: 20,
    });
    await client.connect();
    const disconnected = new Promise((resolve) => client.once('disconnected', resolve));
    const reconnected = new Promise((resolve) => client.once('connected', resolve));
    peer.dropConnections();
    await disconnected;
    await new Promise((r) => setTimeout(r, 60));
    await expect(client.ping()).rejects.toMatchObject({ kind: 'Disconnected' });
    await reconnected;
    await expect(client.ping()).resolves.toBeUndefined();
  });

  it('a request issued while reconnecting still honours its timeout', async () => {
    const { peer, client } = await setup({ reconnect: { initialDelayMs: 10_000 }, requestTimeoutMs: 60 });
    await client.connect();
    const disconnected = new Promise((resolve) => client.once('disconnected', resolve));
    peer.dropConnections();
    await disconnected;
    expect(client.state).toBe('reconnecting');
    await expect(client.ping()).rejects.toMatchObject({ kind: 'Timeout' });
  });
});

describe('IggyClient heartbeat', () => {
  it('pings every heartbeatIntervalMs while connected', async () => {
    const { peer, client } = await setup({ heartbeatIntervalMs: 30 });
    await client.connect();
    await peer.waitFor(() => peer.requestsWith(CommandCode.Ping).length >= 3, 2000, '3 heartbeat pings');
  });
});

describe('IggyClient close', () => {
  it('is idempotent, rejects pending requests with Closed and stops reconnecting', async () => {
    const { peer, client } = await setup({ maxInFlight: 1 });
    peer.handler = () => undefined;
    await client.connect();
    const inflight = client.ping();
    const queued = client.ping();
    await peer.waitForRequests(1);
    const a = client.close();
    const b = client.close();
    expect(a).toBe(b);
    await a;
    await expect(inflight).rejects.toMatchObject({ kind: 'Closed' });
    await expect(queued).rejects.toMatchObject({ kind: 'Closed' });
    await expect(client.ping()).rejects.toMatchObject({ kind: 'Closed' });
    await expect(client.connect()).rejects.toMatchObject({ kind: 'Closed' });
    await new Promise((r) => setTimeout(r, 50));
    expect(peer.connections).toHaveLength(1);
    expect(client.state).toBe('closed');
  });

  it('stops a reconnect loop that is waiting for its next attempt', async () => {
    const { peer, client } = await setup({ reconnect: { initialDelayMs: 60_000 } });
    await connectThenLose(peer, client);
    const waiting = client.ping();
    await client.close();
    await expect(waiting).rejects.toMatchObject({ kind: 'Closed' });
  });
});

describe('IggyClient serverVersion', () => {
  const statsOf = (version: string) =>
    getStatsCodec.encodeResponse({ ...emptyStats, iggyServerVersion: version });

  it('asks the server after every login (GetStats) and forgets what it cannot learn', async () => {
    const { peer, client } = await setup({
      credentials: { username: 'u', password: 'p' },
      reconnect: { initialDelayMs: 10 },
    });
    let version = '0.8.0';
    peer.handler = (r) =>
      r.code === CommandCode.GetStats ? encodeResponseFrame(0, statsOf(version)) : defaultAnswer(r.code);
    expect(client.serverVersion).toBeNull();
    await client.connect();
    expect(client.serverVersion).toBe('0.8.0');
    expect(peer.connections[0]!.requests.map((r) => r.code)).toEqual([
      CommandCode.LoginUser,
      CommandCode.GetStats,
    ]);
    version = '0.7.0'; // the server is replaced by an older one
    peer.dropConnections();
    await new Promise<void>((resolve) => client.once('connected', () => resolve()));
    expect(client.serverVersion).toBe('0.7.0');
    peer.handler = (r) =>
      r.code === CommandCode.GetStats
        ? encodeResponseFrame(IggyErrorCode.Unauthorized)
        : defaultAnswer(r.code);
    await client.login('u', 'p');
    expect(client.serverVersion).toBeNull();
  });

  it('sends nothing more with detectServerVersion: false', async () => {
    const { peer, client } = await setup({
      credentials: { username: 'u', password: 'p' },
      detectServerVersion: false,
    });
    peer.handler = (r) => defaultAnswer(r.code);
    await client.connect();
    expect(peer.connections[0]!.requests.map((r) => r.code)).toEqual([CommandCode.LoginUser]);
    expect(client.serverVersion).toBeNull();
  });
});

const emptyStats: Stats = {
  processId: 1,
  cpuUsage: 0,
  totalCpuUsage: 0,
  memoryUsage: 0n,
  totalMemory: 0n,
  availableMemory: 0n,
  runTime: 0n,
  startTime: 0n,
  readBytes: 0n,
  writtenBytes: 0n,
  messagesSizeBytes: 0n,
  streamsCount: 0,
  topicsCount: 0,
  partitionsCount: 0,
  segmentsCount: 0,
  messagesCount: 0n,
  clientsCount: 0,
  consumerGroupsCount: 0,
  hostname: 'h',
  osName: 'Linux',
  osVersion: '6',
  kernelVersion: '6',
  iggyServerVersion: '',
  iggyServerSemver: null,
  cacheMetrics: [],
  threadsCount: 4,
  freeDiskSpace: 1n,
  totalDiskSpace: 2n,
};

function defaultAnswer(code: number): Buffer {
  return code === CommandCode.LoginUser ? encodeResponseFrame(0, Buffer.alloc(4)) : encodeResponseFrame(0);
}
