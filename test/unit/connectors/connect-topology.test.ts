import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { globalOnly } from '../../support/permissions.js';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { EmbeddedServer } from '../../../lib/broker/embedded-server.js';
import { IggyClient } from '../../../lib/client/iggy-client.js';
import { TOPIC_MISMATCH_WARNING } from '../../../lib/connectors/configured-topology.js';
import type { ConnectorConfigInput } from '../../../lib/connectors/connector-config.js';
import { EmbeddedConnector } from '../../../lib/connectors/embedded-connector.js';
import { PublishRequest } from '../../../lib/connectors/publish-request.js';
import { RemoteConnector } from '../../../lib/connectors/remote-connector.js';
import { ensureBuilt, repoRoot } from '../../support/build-once.js';

const inMemory = { persistent: false, tcpPort: null, httpPort: null } as const;

/** The seed's usage, verbatim, through the package's public `nestjs-iggy/connector` entry point. */
const SEED_EXAMPLE = `
import { randomUUID } from 'node:crypto';
import { EmbeddedConnector, PublishRequest } from 'nestjs-iggy/connector';

const config = {
  streamName: 'orders',
  topicName: 'events',
  partitions: 3,
  embedded: { persistent: false, tcpPort: null, httpPort: null },
};
const connector = new EmbeddedConnector();
await connector.connect(config);
await connector.publish(PublishRequest.simple('tenant-a', Buffer.from('hello'), randomUUID()));
const topic = await connector.getTopic('orders', 'events');
const messages = topic.partitions.reduce((n, p) => n + p.messagesCount, 0n);
console.log(JSON.stringify({ partitions: topic.partitionsCount, messages: Number(messages) }));
await connector.shutdown();
`;

/** The process warnings raised while `run` runs, as [message, code]. */
async function warningsDuring(run: () => Promise<void>): Promise<[string, string | undefined][]> {
  const emit = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
  try {
    await run();
    return emit.mock.calls.map(([warning, options]) => [
      String(warning),
      typeof options === 'object' ? (options as { code?: string }).code : undefined,
    ]);
  } finally {
    emit.mockRestore();
  }
}

describe('connect ensures the configured stream and topic', () => {
  it('from nestjs-iggy/connector, the seed example publishes right after connect', async () => {
    await ensureBuilt();
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', SEED_EXAMPLE], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout.trim())).toEqual({ partitions: 3, messages: 1 });
  }, 120_000);

  it('creates them with the configured partitions, and reports what it did', async () => {
    const connector = new EmbeddedConnector();
    await connector.connect({ streamName: 'shop', topicName: 'domain', partitions: 5, embedded: inMemory });
    try {
      expect(connector.topology).toEqual({
        stream: 'shop',
        topic: 'domain',
        outcome: 'created',
        partitions: 5,
      });
      expect((await connector.getTopic('shop', 'domain'))?.partitionsCount).toBe(5);
    } finally {
      await connector.shutdown();
    }
  });

  describe('over TCP (RemoteConnector)', () => {
    let server: EmbeddedServer;
    let admin: IggyClient;
    let remote: (extra: ConnectorConfigInput) => ConnectorConfigInput;

    beforeAll(async () => {
      server = await EmbeddedServer.start({
        persistent: false,
        tcpPort: 0,
        httpPort: null,
        rootPassword: 'iggy',
      });
      const address = `127.0.0.1:${server.tcpAddress.port}`;
      admin = new IggyClient({ addresses: [address], credentials: { username: 'iggy', password: 'iggy' } });
      await admin.connect();
      remote = (extra) => ({ mode: 'remote', ...extra, remote: { addresses: [address], ...extra.remote } });
    });

    afterAll(async () => {
      await admin?.close();
      await server?.stop();
    });

    it('creates what is missing and publishes to it', async () => {
      const stream = `s-${randomUUID().slice(0, 8)}`;
      const connector = new RemoteConnector();
      await connector.connect(remote({ streamName: stream, topicName: 'events', partitions: 2 }));
      try {
        await connector.publish(PublishRequest.simple('k', Buffer.from('x'), randomUUID()));
        const topic = await admin.getTopic({ streamId: stream, topicId: 'events' });
        expect(topic).toMatchObject({ partitionsCount: 2, messagesCount: 1n });
      } finally {
        await connector.shutdown();
      }
    });

    it('never changes an existing topic: a different partition count is a process warning, and it is kept', async () => {
      const stream = `s-${randomUUID().slice(0, 8)}`;
      const created = await admin.createStream({ name: stream });
      await admin.createTopic({ streamId: created.id, name: 'events', partitionsCount: 2 });
      const connector = new RemoteConnector();
      const warnings = await warningsDuring(() =>
        connector.connect(remote({ streamName: stream, topicName: 'events', partitions: 6 })),
      );
      try {
        expect(warnings).toEqual([
          [
            `topic '${stream}/events' has 2 partitions, the config says 6; it is used as it is (change the topic on the server, or the config, to match)`,
            TOPIC_MISMATCH_WARNING,
          ],
        ]);
        expect(connector.topology).toMatchObject({ outcome: 'mismatch', partitions: 2 });
        expect((await admin.getTopic({ streamId: stream, topicId: 'events' }))?.partitionsCount).toBe(2);
        await connector.publish(PublishRequest.simple('k', Buffer.from('x'), randomUUID()));
      } finally {
        await connector.shutdown();
      }
    });

    it('fails connect with a hint for a user who may not create streams, and connects with ensureTopology: false', async () => {
      const username = `reader-${randomUUID().slice(0, 8)}`;
      const permissions = globalOnly({
        readStreams: true,
        readTopics: true,
        pollMessages: true,
        sendMessages: true,
      });
      await admin.createUser({
        username,
        password: 'secret-1',
        status: 1,
        permissions,
      });
      const limited = { username, password: 'secret-1' };
      const stream = `s-${randomUUID().slice(0, 8)}`;
      const refused = new RemoteConnector();
      await expect(refused.connect(remote({ streamName: stream, remote: limited }))).rejects.toMatchObject({
        kind: 'Auth',
        message: expect.stringMatching(/ensureTopology: false skips this/),
      });
      expect(refused.isConnected()).toBe(false);
      const plain = new RemoteConnector();
      await plain.connect(remote({ streamName: stream, ensureTopology: false, remote: limited }));
      try {
        expect(plain.topology).toBeUndefined();
        expect(await admin.getStream({ streamId: stream })).toBeNull();
        await expect(
          plain.publish(PublishRequest.simple('k', Buffer.from('x'), randomUUID())),
        ).rejects.toMatchObject({ kind: 'Publish' });
      } finally {
        await plain.shutdown();
      }
    });
  });
});
