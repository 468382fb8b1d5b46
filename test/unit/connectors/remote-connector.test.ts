import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { defaultRemoteConfig, resolveConnectorConfig } from '../../../lib/connectors/connector-config.js';
import { EmbeddedConnector } from '../../../lib/connectors/embedded-connector.js';
import { PublishRequest } from '../../../lib/connectors/publish-request.js';
import { remoteClientOptions } from '../../../lib/connectors/remote-client-options.js';
import { RemoteConnector } from '../../../lib/connectors/remote-connector.js';

describe('remoteClientOptions', () => {
  it('maps addresses, credentials, timeouts and reconnection', () => {
    const options = remoteClientOptions({
      ...defaultRemoteConfig,
      addresses: ['10.0.0.1:8090', '10.0.0.2:8090'],
      requestTimeoutMs: 500,
      connectTimeoutMs: 200,
      reconnect: { maxAttempts: 3 },
      heartbeatIntervalMs: 1_000,
    });
    expect(options).toMatchObject({
      addresses: ['10.0.0.1:8090', '10.0.0.2:8090'],
      tls: false,
      credentials: { username: 'iggy', password: 'iggy' },
      requestTimeoutMs: 500,
      connectTimeoutMs: 200,
      reconnect: { maxAttempts: 3 },
      heartbeatIntervalMs: 1_000,
    });
    expect(remoteClientOptions({ ...defaultRemoteConfig, reconnect: false }).reconnect).toBe(false);
    expect(remoteClientOptions({ ...defaultRemoteConfig, protocol: 'http' }).protocol).toBe('http');
  });

  it('prefers a personal access token over username and password', () => {
    expect(remoteClientOptions({ ...defaultRemoteConfig, token: 'pat' }).credentials).toEqual({
      token: 'pat',
    });
  });

  it('maps TLS: CA file, server name, certificate checks', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nestjs-iggy-tls-'));
    try {
      const caFile = join(dir, 'ca.pem');
      await writeFile(caFile, 'PEM');
      const options = remoteClientOptions({
        ...defaultRemoteConfig,
        tlsEnabled: true,
        tlsDomain: 'iggy.local',
        tlsCaFile: caFile,
        tlsRejectUnauthorized: false,
      });
      expect(options.tls).toEqual({
        servername: 'iggy.local',
        ca: Buffer.from('PEM'),
        rejectUnauthorized: false,
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.each([
    ['a protocol other than tcp and http', { protocol: 'quic' as unknown as 'tcp' }],
    ['no address', { addresses: [] }],
    ['a port out of range', { addresses: ['127.0.0.1:70000'] }],
    ['no password', { password: '' }],
    ['an unreadable CA file', { tlsEnabled: true, tlsCaFile: '/nonexistent/ca.pem' }],
  ])('refuses %s with Config', (_, change) => {
    expect(() => remoteClientOptions({ ...defaultRemoteConfig, ...change })).toThrow(
      expect.objectContaining({ kind: 'Config' }),
    );
  });
});

describe('RemoteConnector connections', () => {
  let server: EmbeddedConnector;

  beforeAll(async () => {
    server = new EmbeddedConnector();
    await server.connect(
      resolveConnectorConfig({
        embedded: { persistent: false, tcpPort: 0, httpPort: null, rootPassword: 'iggy' },
      }),
    );
  });

  afterAll(async () => {
    await server.shutdown();
  });

  it('publishes on its own connection and gives every subscription another one', async () => {
    const remote = new RemoteConnector();
    await remote.connect(
      resolveConnectorConfig({ mode: 'remote', remote: { addresses: [`127.0.0.1:${server.tcpPort}`] } }),
    );
    const clients = () => server.broker!.inspect().clientsCount;
    const base = clients();
    try {
      expect(remote.address).toBe(`127.0.0.1:${server.tcpPort}`);
      await remote.ensureStream('conns');
      await remote.ensureTopic('conns', { name: 't', partitions: 2 });
      const a = await remote.subscribeGroup('conns', 't', 'g');
      const b = await remote.subscribeGroup('conns', 't', 'g');
      expect(clients()).toBe(base + 2);
      // A subscriber nobody reads from does not hold up publishing.
      await remote.publishBatch(
        Array.from({ length: 50 }, (_, i) =>
          PublishRequest.new('conns', 't', `k${i}`, Buffer.from('x'), randomUUID()),
        ),
      );
      const info = await remote.getTopic('conns', 't');
      expect(info!.partitions.reduce((n, p) => n + p.messagesCount, 0n)).toBe(50n);
      await Promise.all([a.close(), b.close()]);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(clients()).toBe(base);
    } finally {
      await remote.shutdown();
    }
    expect(remote.isConnected()).toBe(false);
  });
});
