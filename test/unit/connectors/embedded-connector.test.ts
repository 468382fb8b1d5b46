import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { BrokerSession } from '../../../lib/broker/broker-session.js';
import { IggyClient } from '../../../lib/client/iggy-client.js';
import {
  DEFAULT_STREAM_NAME,
  resolveConnectorConfig,
  type ConnectorConfigInput,
} from '../../../lib/connectors/connector-config.js';
import { calculatePartition } from '../../../lib/connectors/calculate-partition.js';
import { EmbeddedConnector } from '../../../lib/connectors/embedded-connector.js';
import { PublishRequest } from '../../../lib/connectors/publish-request.js';
import { rootLogin } from '../../support/root-login.js';
import { ConsumerKind } from '../../../lib/protocol/primitives/consumer.js';
import { PollingStrategy } from '../../../lib/protocol/primitives/polling-strategy.js';

async function open(config: ConnectorConfigInput): Promise<EmbeddedConnector> {
  const connector = new EmbeddedConnector();
  await connector.connect(resolveConnectorConfig(config));
  return connector;
}

describe('EmbeddedConnector', () => {
  let root: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'nestjs-iggy-embedded-'));
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('opens ephemeral TCP and HTTP listeners and tells where they are', async () => {
    const connector = await open({ embedded: { persistent: false, tcpPort: 0, httpPort: 0 } });
    try {
      expect(connector.tcpPort).toBeGreaterThan(0);
      expect(connector.httpPort).toBeGreaterThan(0);
      const res = await fetch(`http://127.0.0.1:${connector.httpPort}/ping`);
      expect(await res.text()).toBe('pong');
    } finally {
      await connector.shutdown();
    }
    expect(connector.tcpPort).toBeNull();
  });

  it('serves the same data over TCP as in process (for the iggy CLI and other services)', async () => {
    const connector = await open({
      embedded: { persistent: false, tcpPort: 0, httpPort: null, rootPassword: 'iggy' },
    });
    const client = new IggyClient({
      addresses: [`127.0.0.1:${connector.tcpPort}`],
      credentials: { username: 'iggy', password: 'iggy' },
    });
    try {
      await connector.ensureStream('shared');
      await connector.ensureTopic('shared', { name: 'events', partitions: 1 });
      await connector.publish(
        PublishRequest.new('shared', 'events', 'k', Buffer.from('in-process'), randomUUID()),
      );
      await client.connect();
      const polled = await client.pollMessages({
        consumer: { kind: ConsumerKind.Consumer, id: 1 },
        streamId: 'shared',
        topicId: 'events',
        partitionId: 0,
        strategy: PollingStrategy.first(),
        count: 10,
      });
      expect(polled.messages.map((m) => m.payload.toString())).toEqual(['in-process']);
    } finally {
      await client.close();
      await connector.shutdown();
    }
  });

  it('has no listener when the ports are null', async () => {
    const connector = await open({ embedded: { persistent: false, tcpPort: null, httpPort: null } });
    expect(connector.tcpPort).toBeNull();
    expect(connector.httpPort).toBeNull();
    expect(connector.broker).toBeDefined();
    await connector.shutdown();
    expect(connector.broker).toBeUndefined();
  });

  it('runs two connectors side by side on different data directories', async () => {
    const embedded = (dir: string) => ({ dataDir: join(root, dir), tcpPort: null, httpPort: null });
    const [a, b] = await Promise.all([open({ embedded: embedded('a') }), open({ embedded: embedded('b') })]);
    try {
      await a.ensureStream('only-in-a');
      expect(await a.getTopic('only-in-a', 'x')).toBeNull();
      await b.ensureStream('only-in-b');
      await b.ensureTopic('only-in-b', { name: 't', partitions: 1 });
      expect(await a.getTopic('only-in-b', 't')).toBeNull();
      expect(await b.getTopic('only-in-b', 't')).not.toBeNull();
    } finally {
      await Promise.all([a.shutdown(), b.shutdown()]);
    }
  });

  it('keeps data across shutdown and reopening (the lock is released), refusing a second holder meanwhile', async () => {
    const config = { embedded: { dataDir: join(root, 'reopen'), tcpPort: null, httpPort: null } };
    const first = await open(config);
    await first.ensureStream('kept');
    await first.ensureTopic('kept', { name: 't', partitions: 2 });
    await first.publishBatch(
      Array.from({ length: 5 }, (_, i) =>
        PublishRequest.new('kept', 't', `k${i}`, Buffer.from('x'), randomUUID()),
      ),
    );
    await expect(open(config)).rejects.toMatchObject({
      kind: 'Config',
      message: expect.stringMatching(/held by pid/),
    });
    await first.shutdown();
    await expect(
      first.publish(PublishRequest.simple('k', Buffer.from('x'), randomUUID())),
    ).rejects.toMatchObject({
      kind: 'NotConnected',
    });
    const second = await open(config);
    try {
      const info = await second.getTopic('kept', 't');
      expect(info!.partitions.reduce((n, p) => n + p.messagesCount, 0n)).toBe(5n);
    } finally {
      await second.shutdown();
    }
  });

  it('needs no root password itself; network logins use the configured one, applied at a later start', async () => {
    const dataDir = join(root, 'root-password');
    const login = rootLogin;

    const first = await open({ embedded: { dataDir, tcpPort: 0, httpPort: null } });
    try {
      await first.ensureStream('works-without-password');
      expect(await login(first.tcpPort!, 'iggy')).toMatchObject({ code: 42 });
    } finally {
      await first.shutdown();
    }
    const second = await open({ embedded: { dataDir, tcpPort: 0, httpPort: null, rootPassword: 'chosen' } });
    try {
      expect(await login(second.tcpPort!, 'chosen')).toBe('ok');
      expect(await second.getTopic('works-without-password', 'none')).toBeNull();
    } finally {
      await second.shutdown();
    }
  });

  it('releases the lock and both listeners on shutdown: a new connector opens the same directory and ports at once', async () => {
    const dataDir = join(root, 'relisten');
    const first = await open({ embedded: { dataDir, tcpPort: 0, httpPort: 0 } });
    const tcpPort = first.tcpPort!;
    const httpPort = first.httpPort!;
    await first.ensureStream('kept');
    await first.shutdown();
    expect([first.tcpPort, first.httpPort]).toEqual([null, null]);
    const second = await open({ embedded: { dataDir, tcpPort, httpPort, rootPassword: 'iggy' } });
    try {
      expect([second.tcpPort, second.httpPort]).toEqual([tcpPort, httpPort]);
      expect(await (await fetch(`http://127.0.0.1:${httpPort}/ping`)).text()).toBe('pong');
      const client = new IggyClient({
        addresses: [`127.0.0.1:${tcpPort}`],
        credentials: { username: 'iggy', password: 'iggy' },
        reconnect: false,
      });
      await client.connect();
      expect((await client.getStreams()).map((x) => x.name)).toEqual([DEFAULT_STREAM_NAME, 'kept']);
      await client.close();
    } finally {
      await second.shutdown();
    }
  });

  it('creates a missing data directory (parents included); one that cannot be created is a Config error', async () => {
    const nested = await open({
      embedded: { dataDir: join(root, 'x', 'y', 'z'), tcpPort: null, httpPort: null },
    });
    await nested.shutdown();
    await writeFile(join(root, 'a-file'), 'in the way');
    await expect(
      open({ embedded: { dataDir: join(root, 'a-file', 'data'), tcpPort: null, httpPort: null } }),
    ).rejects.toMatchObject({ kind: 'Config', message: expect.stringMatching(/cannot be created/) });
  });

  it('names the embedded.* port that cannot be bound', async () => {
    const first = await open({ embedded: { persistent: false, tcpPort: null, httpPort: 0 } });
    try {
      await expect(
        open({ embedded: { persistent: false, tcpPort: null, httpPort: first.httpPort } }),
      ).rejects.toMatchObject({
        kind: 'Config',
        message: `embedded.httpPort: 127.0.0.1:${first.httpPort} is in use`,
      });
    } finally {
      await first.shutdown();
    }
  });

  it('gives subscriptions in-process sessions of the connector user: no password check per subscribe', async () => {
    const connector = await open({ embedded: { persistent: false, tcpPort: null, httpPort: null } });
    try {
      await connector.ensureStream('s');
      await connector.ensureTopic('s', { name: 't', partitions: 2 });
      const broker = connector.broker!;
      const login = jest.spyOn(BrokerSession.prototype, 'login');
      const opened = jest.spyOn(broker, 'openSession');
      const subscribers = await Promise.all([
        connector.subscribeGroup('s', 't', 'g'),
        connector.subscribe('s', 't', 0),
        connector.subscribe('s', 't', 1),
      ]);
      expect(login).not.toHaveBeenCalled();
      login.mockRestore();
      expect(opened).toHaveBeenCalledTimes(3);
      for (const { value: session } of opened.mock.results)
        expect(await (session as BrokerSession).getMe()).toMatchObject({
          userId: 0,
          address: 'embedded-subscriber',
        });
      await Promise.all(subscribers.map((x) => x.close()));
    } finally {
      await connector.shutdown();
    }
  });

  it('uses one broker session per subscription and releases it on close', async () => {
    const connector = await open({ embedded: { persistent: false, tcpPort: null, httpPort: null } });
    try {
      await connector.ensureStream('s');
      await connector.ensureTopic('s', { name: 't', partitions: 2 });
      const before = connector.broker!.inspect().clientsCount;
      const a = await connector.subscribeGroup('s', 't', 'g');
      const b = await connector.subscribe('s', 't', 1);
      expect(connector.broker!.inspect().clientsCount).toBe(before + 2);
      await Promise.all([a.close(), b.close()]);
      expect(connector.broker!.inspect().clientsCount).toBe(before);
    } finally {
      await connector.shutdown();
    }
  });
});

describe('EmbeddedConnector subscriptions wait for the broker, not a timer', () => {
  it('an idle subscriber with a one-minute poll interval receives a publish at once', async () => {
    const connector = new EmbeddedConnector();
    await connector.connect(
      resolveConnectorConfig({ embedded: { persistent: false, tcpPort: null, httpPort: null } }),
    );
    try {
      await connector.ensureStream('s');
      await connector.ensureTopic('s', { name: 't', partitions: 4 });
      const group = await connector.subscribeGroup('s', 't', 'g', { pollIntervalMs: 60_000 });
      const key = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].find((k) => calculatePartition(k, 4) === 2)!;
      const single = await connector.subscribe('s', 't', 2, { pollIntervalMs: 60_000 });
      const received = Promise.all([group.recv(), single.recv()]);
      await new Promise((resolve) => setTimeout(resolve, 50));
      await connector.publish(PublishRequest.new('s', 't', key, Buffer.from('hello'), randomUUID()));
      const [a, b] = await received;
      expect(a!.payload.toString()).toBe('hello');
      expect(b!.payload.toString()).toBe('hello');
      await Promise.all([group.close(), single.close()]);
    } finally {
      await connector.shutdown();
    }
  });
});
