import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { EmbeddedServer } from '../../../lib/broker/embedded-server.js';
import { connectionFuzzRuns } from '../../support/fuzz.js';

/** Path templates of Iggy's HTTP API; `{}` is filled with a good id, a name, garbage or an overflow. */
const PATHS = [
  '/users/login',
  '/users/refresh-token',
  '/personal-access-tokens/login',
  '/personal-access-tokens',
  '/personal-access-tokens/{}',
  '/users',
  '/users/{}',
  '/users/{}/permissions',
  '/users/{}/password',
  '/stats',
  '/clients/{}',
  '/streams',
  '/streams/{}',
  '/streams/{}/purge',
  '/streams/{}/topics',
  '/streams/{}/topics/{}',
  '/streams/{}/topics/{}/partitions',
  '/streams/{}/topics/{}/partitions/{}',
  '/streams/{}/topics/{}/consumer-groups/{}',
  '/streams/{}/topics/{}/consumer-offsets',
  '/streams/{}/topics/{}/consumer-offsets/{}',
  '/streams/{}/topics/{}/messages',
  '/streams/{}/topics/{}/messages/flush/{}/{}',
];

const segment = fc.oneof(
  fc.constantFrom('fuzz', 't', '0', '1', 'true', '4294967296', '99999999999999999999', '%zz', '%00', ''),
  fc.string({ maxLength: 8 }).map(encodeURIComponent),
);

const body = fc.oneof(
  fc.constant(undefined),
  fc.string({ maxLength: 64 }),
  fc.json({ maxDepth: 3 }),
  fc.constantFrom(
    '{"name":"x","partitions_count":4294967295}',
    '{"partitioning":{"kind":"balanced","value":""},"messages":[{"payload":"!!"}]}',
    '{"partitioning":{"kind":"messages_key","value":""},"messages":[]}',
    '{"consumer_id":"c","partition_id":0,"offset":18446744073709551616}',
    '{"username":"iggy","password":"iggy"}',
    '{"token":"x"}',
  ),
);

const query = fc.oneof(
  fc.constant(''),
  fc.constantFrom(
    '?partitions_count=0',
    '?segments_count=-1',
    '?kind=next&value=18446744073709551616',
    '?consumer_id=&partition_id=x&count=4294967296',
    '?kind=zzz',
  ),
  fc.string({ maxLength: 20 }).map((q) => `?${encodeURIComponent(q)}=1`),
);

describe('the embedded HTTP API under hostile requests (fuzz)', () => {
  let server: EmbeddedServer;
  let base: string;
  let token: string;

  beforeAll(async () => {
    server = await EmbeddedServer.start({
      persistent: false,
      tcpPort: null,
      httpPort: 0,
      rootPassword: 'iggy',
    });
    base = `http://127.0.0.1:${server.httpAddress!.port}`;
    const login = await fetch(`${base}/users/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'iggy', password: 'iggy' }),
    });
    token = ((await login.json()) as { access_token: { token: string } }).access_token.token;
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    await fetch(`${base}/streams`, { method: 'POST', headers: auth, body: '{"name":"fuzz"}' });
    await fetch(`${base}/streams/fuzz/topics`, {
      method: 'POST',
      headers: auth,
      body: '{"name":"t","partitions_count":2,"compression_algorithm":"none","message_expiry":0,"max_topic_size":0,"replication_factor":1}',
    });
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('answers every request with a 2xx/4xx (never a 500, never a hang) and keeps serving', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'),
        fc.constantFrom(...PATHS),
        fc.array(segment, { minLength: 4, maxLength: 4 }),
        query,
        body,
        fc.boolean(),
        fc.boolean(),
        async (method, template, segments, q, payload, withToken, asJson) => {
          let i = 0;
          const path = template.replace(/\{\}/g, () => segments[i++]!);
          const headers: Record<string, string> = withToken ? { authorization: `Bearer ${token}` } : {};
          if (asJson) headers['content-type'] = 'application/json';
          const res = await fetch(`${base}${path}${q}`, {
            method,
            headers,
            body: method === 'GET' ? undefined : payload,
            signal: AbortSignal.timeout(5_000),
          });
          await res.arrayBuffer();
          expect(res.status).toBeLessThan(500);
        },
      ),
      { numRuns: connectionFuzzRuns() },
    );
    expect(await (await fetch(`${base}/ping`)).text()).toBe('pong');
  }, 120_000);
});
