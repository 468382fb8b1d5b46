import http from 'node:http';
import { UserStatus } from '../../../../lib/broker/types.js';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EmbeddedServer } from '../../../../lib/broker/embedded-server.js';
import { rootPermissions } from '../../../../lib/protocol/commands/users/permissions.layout.js';

/** A GET with the headers given (the Host header included, which `fetch` does not let a caller set). */
function get(
  port: number,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; auth?: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body, auth: res.headers['www-authenticate'] }));
    });
    req.on('error', reject);
    req.end();
  });
}

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('BrokerHttpServer access', () => {
  describe('on loopback', () => {
    let server: EmbeddedServer;
    beforeAll(async () => {
      server = await EmbeddedServer.start({
        persistent: false,
        tcpPort: null,
        httpPort: 0,
        httpAllowedHosts: ['iggy.internal'],
      });
    });
    afterAll(() => server.stop());

    it('serves without credentials to a Host of this server, and refuses any other Host (DNS rebinding)', async () => {
      const port = server.httpAddress!.port;
      for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, 'iggy.internal']) {
        expect((await get(port, '/streams', { Host: host })).status).toBe(200);
      }
      const rebound = await get(port, '/streams', { Host: `attacker.example:${port}` });
      expect(rebound.status).toBe(403);
      expect(JSON.parse(rebound.body).error).toMatch(/Host 'attacker.example' is not this server's/);
      expect((await get(port, '/ping', { Host: 'attacker.example' })).status).toBe(403);
    });
  });

  describe('off loopback', () => {
    let server: EmbeddedServer;
    let port: number;
    let token: string;

    beforeAll(async () => {
      server = await EmbeddedServer.start({
        persistent: false,
        tcpPort: null,
        httpPort: 0,
        httpHost: '0.0.0.0',
        rootPassword: 'root-secret',
        loginThrottle: false,
      });
      port = server.httpAddress!.port;
      const broker = server.broker;
      const root = broker.openSession();
      await root.createStream({ name: 'private' });
      ({ token } = await root.createAccessToken({ name: 'http', expiry: 0n }));
      const none = rootPermissions();
      for (const key of Object.keys(none.global) as (keyof typeof none.global)[]) none.global[key] = false;
      await root.createUser({
        status: UserStatus.Active,
        username: 'nobody',
        password: 'nobody-pw',
        permissions: none,
      });
    });
    afterAll(() => server.stop());

    it('asks for credentials on every route but /ping', async () => {
      expect((await get(port, '/ping')).status).toBe(200);
      for (const path of ['/streams', '/stats', '/metrics']) {
        const denied = await get(port, path);
        expect(denied.status).toBe(401);
        expect(denied.auth).toMatch(/Basic/);
        expect(denied.body).not.toContain('private');
      }
      expect((await get(port, '/streams', { Authorization: basic('iggy', 'wrong') })).status).toBe(401);
      expect((await get(port, '/streams', { Authorization: 'Bearer not-a-token' })).status).toBe(401);
    });

    it('serves a user with the right, by password or personal access token; refuses one without (403)', async () => {
      const byPassword = await get(port, '/streams', { Authorization: basic('iggy', 'root-secret') });
      expect(byPassword.status).toBe(200);
      expect(byPassword.body).toContain('private');
      expect((await get(port, '/metrics', { Authorization: `Bearer ${token}` })).status).toBe(200);
      const nobody = await get(port, '/streams', { Authorization: basic('nobody', 'nobody-pw') });
      expect(nobody.status).toBe(403);
      expect(nobody.body).not.toContain('private');
      // The HTTP sessions are gone once answered.
      expect(server.broker.inspect().clientsCount).toBe(1);
    });
  });
});
