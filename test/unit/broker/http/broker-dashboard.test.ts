import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { Script } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { BrokerHttpServer } from '../../../../lib/broker/http/http-server.js';
import { UserStatus } from '../../../../lib/broker/types.js';
import { EmbeddedConnector } from '../../../../lib/connectors/embedded-connector.js';
import { resolveConnectorConfig } from '../../../../lib/connectors/connector-config.js';
import { PublishRequest } from '../../../../lib/connectors/publish-request.js';
import type { DashboardSnapshot } from '../../../../lib/dashboard/index.js';

/** The parts of a /streams entry the test compares. */
interface JsonStream {
  name: string;
  topics: {
    name: string;
    partitions: { id: number; messages_count: number; size_bytes: number }[];
    consumer_groups: { name: string; offsets: { partition_id: number; lag: number }[] }[];
  }[];
}

/** The status of a GET sent with `headers` as given (fetch would not send a `Host` of its own). */
function statusOf(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      })
      .on('error', reject);
  });
}

/** The first server-sent event of `url` (a `data:` line), read from the stream as it arrives. */
async function firstEvent(url: string): Promise<{ data: string; response: Response }> {
  const response = await fetch(url);
  const reader = response.body!.getReader();
  let text = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the feed ended before an event: ${text}`);
    text += Buffer.from(value).toString('utf8');
    const match = /^data: (.*)$/m.exec(text);
    if (match) {
      reader.releaseLock();
      return { data: match[1]!, response };
    }
  }
}

describe("the embedded broker's dashboard", () => {
  let connector: EmbeddedConnector;
  let base: string;

  beforeAll(async () => {
    connector = new EmbeddedConnector();
    await connector.connect(
      resolveConnectorConfig({
        embedded: { persistent: false, tcpPort: null, httpPort: 0, rootPassword: 'iggy' },
      }),
    );
    base = `http://127.0.0.1:${connector.httpPort}`;
    await connector.ensureStream('shop');
    await connector.ensureTopic('shop', { name: 'domain', partitions: 3 });
    for (let i = 0; i < 30; i++) {
      await connector.publish(
        PublishRequest.new('shop', 'domain', `tenant-${i % 5}`, Buffer.from(`order ${i}`), randomUUID()),
      );
    }
    const group = await connector.subscribeGroup('shop', 'domain', 'billing');
    const first = await group.recv();
    await connector.storeOffset('shop', 'domain', { kind: 'group', name: 'billing' }, first!.partition, 3n);
    await group.close();
  });

  afterAll(() => connector.shutdown());

  it('serves the page at / with its script and style sheet, nothing from elsewhere', async () => {
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await page.text();
    expect(html).toContain('<script src="/dashboard/dashboard.js" defer></script>');
    expect(html).toContain('href="/dashboard/dashboard.css"');
    expect(html).not.toMatch(/https?:\/\//);
    expect((await fetch(`${base}/dashboard`)).status).toBe(200);

    const script = await fetch(`${base}/dashboard/dashboard.js`);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const source = await script.text();
    expect(() => new Script(source)).not.toThrow();
    expect(source).toContain('"base":"/dashboard"');
    const css = await fetch(`${base}/dashboard/dashboard.css`);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(await css.text()).toContain('@media (max-width: 640px)');

    const post = await fetch(`${base}/dashboard/snapshot`, { method: 'POST' });
    expect(post.status).toBe(405);
    const head = await fetch(`${base}/`, { method: 'HEAD' });
    expect(head.status).toBe(200);
  });

  it("shows what /streams shows: each partition's messages and size, each group's lag", async () => {
    const streams = (await (await fetch(`${base}/streams`)).json()) as JsonStream[];
    const snapshot = (await (await fetch(`${base}/dashboard/snapshot`)).json()) as DashboardSnapshot;
    expect(snapshot.source).toBe('embedded broker');
    const domain = streams.find((s) => s.name === 'shop')!.topics.find((t) => t.name === 'domain')!;
    const shown = snapshot.streams.find((s) => s.name === 'shop')!.topics.find((t) => t.name === 'domain')!;
    expect(shown.partitions.map((p) => [p.id, p.messages, p.sizeBytes])).toEqual(
      domain.partitions.map((p) => [p.id, p.messages_count, p.size_bytes]),
    );
    expect(shown.messages).toBe(30);
    const group = snapshot.groups.find((g) => g.key === 'shop/domain/billing')!;
    const offsets = domain.consumer_groups.find((g) => g.name === 'billing')!.offsets;
    expect(group.partitions.map((p) => [p.partition, p.lag])).toEqual(
      offsets.map((o) => [o.partition_id, o.lag]),
    );
    expect(group.lag).toBe(offsets.reduce((n, o) => n + o.lag, 0));
    expect(group.members).toEqual([]);
    expect(snapshot.deadLetters).toMatchObject({ status: 'unavailable' });
    expect(snapshot.outbox).toMatchObject({ status: 'unavailable' });
  });

  it('streams snapshots as server-sent events, ended when the listener closes', async () => {
    const own = new BrokerHttpServer(connector.broker!, { port: 0 });
    await own.listen();
    const { data, response } = await firstEvent(`http://127.0.0.1:${own.address.port}/dashboard/events`);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect((JSON.parse(data) as DashboardSnapshot).totals.messages).toBeGreaterThanOrEqual(30);
    const rest = response.body!.getReader();
    await own.close();
    // The feed ends: the reader sees the end of the stream instead of waiting forever.
    for (;;) if ((await rest.read()).done) break;
  });

  it('off loopback asks for a broker user (Basic or a personal access token) who may read streams', async () => {
    const broker = connector.broker!;
    const root = broker.openSession();
    const { token } = await root.createAccessToken({ name: 'dashboard', expiry: 0n });
    await root.createUser({ username: 'nobody', password: 'nobody-pass', status: UserStatus.Active });
    const exposed = new BrokerHttpServer(broker, { host: '0.0.0.0', port: 0 });
    const { port } = await exposed.listen();
    const url = `http://127.0.0.1:${port}/dashboard/snapshot`;
    const basic = (user: string, password: string) => ({
      authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
    });
    try {
      const anonymous = await fetch(url);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toContain('Basic');
      expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(401);
      expect((await fetch(url, { headers: basic('iggy', 'wrong') })).status).toBe(401);
      expect((await fetch(url, { headers: basic('nobody', 'nobody-pass') })).status).toBe(403);
      expect((await fetch(url, { headers: basic('iggy', 'iggy') })).status).toBe(200);
      expect((await fetch(url, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
      expect((await fetch(`${url}?token=${encodeURIComponent(token)}`)).status).toBe(200);
      // A JWT of the HTTP API opens the dashboard too; its paths are never the API's.
      const login = await fetch(`http://127.0.0.1:${port}/users/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'iggy', password: 'iggy' }),
      });
      const jwt = ((await login.json()) as { access_token: { token: string } }).access_token.token;
      expect((await fetch(url, { headers: { authorization: `Bearer ${jwt}` } })).status).toBe(200);
      expect((await fetch(`${url}?token=${jwt}`)).status).toBe(200);
      const posted = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${jwt}` } });
      expect(posted.status).toBe(405);
      // The API's paths stay the API's: without a token a 401 before any route, with one its answers.
      expect((await fetch(`http://127.0.0.1:${port}/streams/shop`)).status).toBe(401);
      const api = await fetch(`http://127.0.0.1:${port}/streams`, {
        headers: { authorization: `Bearer ${jwt}` },
      });
      expect(api.status).toBe(200);
      expect(((await api.json()) as { name: string }[]).map((s) => s.name)).toContain('shop');
      // The Host header must name this server, for the dashboard as for the API.
      expect(await statusOf(url, { ...basic('iggy', 'iggy'), host: 'evil.example' })).toBe(403);
      // The page repeats a URL token on its own requests.
      const page = await (await fetch(`http://127.0.0.1:${port}/?token=${encodeURIComponent(token)}`)).text();
      expect(page).toContain(`/dashboard/dashboard.js?token=${encodeURIComponent(token)}`);
    } finally {
      await exposed.close();
      await root.close();
    }
  });
});
