import tls from 'node:tls';
import { UserStatus } from '../../lib/broker/types.js';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EmbeddedServer } from '../../lib/broker/embedded-server.js';
import type { Permissions, StreamPermissions } from '../../lib/broker/types.js';
import { IggyClient, IggyError } from '../../lib/client/index.js';
import { IggyErrorCode } from '../../lib/protocol/codes/error-codes.js';
import { rootPermissions } from '../../lib/protocol/commands/users/permissions.layout.js';
import { ConsumerKind } from '../../lib/protocol/primitives/consumer.js';
import { Partitioning } from '../../lib/protocol/primitives/partitioning.js';
import { PollingStrategy } from '../../lib/protocol/primitives/polling-strategy.js';
import { loadOfficialSdk, officialSdkPresent, type OfficialSdk } from '../support/official-sdk.js';
import { hasOpenssl, selfSignedCert, type SelfSignedCert } from '../support/tls-cert.js';

const LIMITED = { username: 'limited', password: 'limited-pw' } as const;

function openStreamOnly(streamId: number): Permissions {
  const p = rootPermissions();
  for (const key of Object.keys(p.global) as (keyof Permissions['global'])[]) p.global[key] = false;
  const rights: StreamPermissions = {
    manageStream: false,
    readStream: true,
    manageTopics: false,
    readTopics: true,
    pollMessages: true,
    sendMessages: true,
    topics: new Map(),
  };
  p.streams.set(streamId, rights);
  return p;
}

async function codeOf(promise: Promise<unknown>): Promise<number | string> {
  try {
    await promise;
    return 'no error';
  } catch (error) {
    if (error instanceof IggyError) return error.code;
    return String((error as Error).message);
  }
}

const withOpenssl = hasOpenssl();
if (!withOpenssl) console.warn('openssl CLI not found: the TLS and permissions interop tests are skipped');

/**
 * The embedded broker's TLS listener and its permission checks, seen from two clients: `IggyClient` and
 * the official Node SDK (when `IGGY_NODE_SDK` names a built one).
 */
(withOpenssl ? describe : describe.skip)('TLS listener and per-stream permissions, over the wire', () => {
  let cert: SelfSignedCert;
  let server: EmbeddedServer;
  let port: number;

  beforeAll(async () => {
    cert = selfSignedCert();
    server = await EmbeddedServer.start({
      persistent: false,
      tcpPort: 0,
      httpPort: null,
      rootPassword: 'root-secret',
      tls: { cert: cert.certPath, key: cert.keyPath },
    });
    port = server.tcpAddress.port;
    const broker = server.broker;
    const root = broker.openSession();
    const open = await root.createStream({ name: 'open' });
    await root.createStream({ name: 'private' });
    for (const stream of ['open', 'private']) {
      await root.createTopic({ streamId: stream, name: 't', partitionsCount: 1 });
    }
    await root.createConsumerGroup({ streamId: 'private', topicId: 't', name: 'g' });
    await root.createUser({ status: UserStatus.Active, ...LIMITED, permissions: openStreamOnly(open.id) });
  });

  afterAll(async () => {
    await server?.stop();
    cert?.cleanup();
  });

  describe('TLS', () => {
    it('negotiates TLS 1.2 or later and refuses an older protocol', async () => {
      const version = await new Promise<string | null>((resolve, reject) => {
        const socket = tls.connect(
          { host: '127.0.0.1', port, servername: 'localhost', ca: cert.cert },
          () => {
            resolve(socket.getProtocol());
            socket.end();
          },
        );
        socket.on('error', reject);
      });
      expect(['TLSv1.2', 'TLSv1.3']).toContain(version);
      const old = await new Promise<string>((resolve) => {
        const socket = tls.connect({
          host: '127.0.0.1',
          port,
          ca: cert.cert,
          servername: 'localhost',
          minVersion: 'TLSv1',
          maxVersion: 'TLSv1.1',
          ciphers: 'DEFAULT@SECLEVEL=0',
        });
        socket.on('secureConnect', () => resolve(`connected with ${socket.getProtocol()}`));
        socket.on('error', (error) => resolve(`refused: ${error.message}`));
      });
      expect(old).toMatch(/^refused/);
    });

    it('IggyClient checks the certificate: an untrusted one or another host name is refused', async () => {
      for (const tlsOptions of [true, { ca: cert.cert, servername: 'not-this-server.example' }] as const) {
        const client = new IggyClient({
          addresses: [`localhost:${port}`],
          tls: tlsOptions,
          credentials: LIMITED,
          reconnect: false,
          connectTimeoutMs: 3_000,
        });
        await expect(client.connect()).rejects.toMatchObject({ kind: 'Connection' });
        await client.close();
      }
    });
  });

  describe('IggyClient as a user with rights on another stream only', () => {
    let client: IggyClient;
    beforeAll(async () => {
      client = new IggyClient({
        addresses: [`localhost:${port}`],
        tls: { ca: cert.cert },
        credentials: LIMITED,
        reconnect: false,
      });
      await client.connect();
    });
    afterAll(() => client.close());

    it('cannot list, read, write or join it (41), and can use the stream it has rights on', async () => {
      const target = { streamId: 'private', topicId: 't' };
      const poll = {
        ...target,
        consumer: { kind: ConsumerKind.Consumer, id: 1 },
        partitionId: 0,
        strategy: PollingStrategy.first(),
        count: 10,
        autoCommit: false,
      };
      const message = { payload: Buffer.from('x') };
      expect(await codeOf(client.getStreams())).toBe(IggyErrorCode.Unauthorized);
      expect(await codeOf(client.getStream({ streamId: 'private' }))).toBe(IggyErrorCode.Unauthorized);
      expect(await codeOf(client.getTopics({ streamId: 'private' }))).toBe(IggyErrorCode.Unauthorized);
      expect(
        await codeOf(
          client.sendMessages({ ...target, partitioning: Partitioning.partitionId(0), messages: [message] }),
        ),
      ).toBe(IggyErrorCode.Unauthorized);
      expect(await codeOf(client.pollMessages(poll))).toBe(IggyErrorCode.Unauthorized);
      expect(await codeOf(client.joinConsumerGroup({ ...target, groupId: 'g' }))).toBe(
        IggyErrorCode.Unauthorized,
      );

      await client.sendMessages({
        streamId: 'open',
        topicId: 't',
        partitioning: Partitioning.partitionId(0),
        messages: [message],
      });
      const polled = await client.pollMessages({ ...poll, streamId: 'open' });
      expect(polled.messages.map((m) => m.payload.toString())).toEqual(['x']);
    });
  });

  (officialSdkPresent() ? describe : describe.skip)('the official Node SDK as that user', () => {
    let sdk: OfficialSdk;
    beforeAll(async () => {
      sdk = (await loadOfficialSdk())!;
    });

    const client = () =>
      new sdk.Client({
        transport: 'TLS',
        options: { port, host: 'localhost', ca: cert.cert },
        credentials: LIMITED,
      });

    it('connects over TLS, checking the certificate against the CA and the host name', async () => {
      const c = client();
      try {
        expect(await c.system.ping()).toBe(true);
      } finally {
        c.destroy();
      }
      // (Without the CA the SDK does not fail: its connection pool keeps retrying the handshake.)
    });

    it('cannot list, read, write or join the stream it has no rights on', async () => {
      const c = client();
      try {
        const target = { streamId: 'private', topicId: 't' };
        const poll = {
          ...target,
          consumer: sdk.Consumer.Single,
          partitionId: 0,
          pollingStrategy: sdk.PollingStrategy.First,
          count: 10,
          autocommit: false,
        };
        const send = { ...target, messages: [{ payload: 'x' }], partition: sdk.Partitioning.PartitionId(0) };
        const unauthorized = /41|Unauthorized/i;
        await expect(c.stream.list()).rejects.toThrow(unauthorized);
        await expect(c.stream.get({ streamId: 'private' })).rejects.toThrow(unauthorized);
        await expect(c.message.send(send)).rejects.toThrow(unauthorized);
        await expect(c.message.poll(poll)).rejects.toThrow(unauthorized);
        await expect(c.group.join({ ...target, groupId: 'g' })).rejects.toThrow(unauthorized);
        expect(await c.message.send({ ...send, streamId: 'open' })).toBe(true);
      } finally {
        c.destroy();
      }
    });
  });
});
