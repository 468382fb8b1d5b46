import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { describe, expect, it } from '@jest/globals';
import {
  resolveConnectorConfig,
  type ConnectorConfigInput,
} from '../../../lib/connectors/connector-config.js';
import { ConnectorError } from '../../../lib/connectors/connector-error.js';
import { EmbeddedConnector } from '../../../lib/connectors/embedded-connector.js';
import { PublishRequest } from '../../../lib/connectors/publish-request.js';
import { RemoteConnector } from '../../../lib/connectors/remote-connector.js';
import { TcpProxy } from '../../support/tcp-proxy.js';

/*
 * A RemoteConnector whose server goes away (issue 12: `emit` used to hang for the 30 s request timeout
 * and SIGTERM took ~31 s). The bounds asserted are far below those 30 s and far above what a busy
 * machine needs, so they can only fail on a hang.
 */

async function startServer(): Promise<EmbeddedConnector> {
  const server = new EmbeddedConnector();
  await server.connect(
    resolveConnectorConfig({
      embedded: { persistent: false, tcpPort: 0, httpPort: null, rootPassword: 'iggy' },
    }),
  );
  await server.ensureStream('s');
  await server.ensureTopic('s', { name: 't', partitions: 2 });
  return server;
}

async function remoteTo(address: string, extra: ConnectorConfigInput = {}): Promise<RemoteConnector> {
  const connector = new RemoteConnector();
  await connector.connect(
    resolveConnectorConfig({
      mode: 'remote',
      ...extra,
      remote: { addresses: [address], reconnect: { initialDelayMs: 50, maxDelayMs: 200 }, ...extra.remote },
    }),
  );
  return connector;
}

const message = () => PublishRequest.new('s', 't', 'tenant-a', Buffer.from('x'), randomUUID());

/** How long `run` takes to settle, ms, and its rejection (undefined when it resolved). */
async function timed(run: () => Promise<unknown>): Promise<{ ms: number; error: unknown }> {
  const start = performance.now();
  const error = await run().then(
    () => undefined,
    (err: unknown) => err,
  );
  return { ms: performance.now() - start, error };
}

describe('RemoteConnector with the server down', () => {
  it('fails publishes with Connection after offlineTimeoutMs, then at once, and publishes again once the server is back', async () => {
    const server = await startServer();
    const port = server.tcpPort!;
    const connector = await remoteTo(`127.0.0.1:${port}`, { remote: { offlineTimeoutMs: 200 } });
    let reconnects = 0;
    connector.onReconnect(() => reconnects++);
    await connector.publish(message());
    expect(reconnects).toBe(0); // the first connection is no reconnection
    await server.shutdown();

    const first = await timed(() => connector.publish(message()));
    expect(first.error).toBeInstanceOf(ConnectorError);
    expect(first.error).toMatchObject({ kind: 'Connection' });
    expect(first.ms).toBeLessThan(5_000);
    const next = await timed(() => connector.publish(message()));
    expect(next.error).toMatchObject({ kind: 'Connection' });
    expect(next.ms).toBeLessThan(5_000);
    expect(connector.isConnected()).toBe(false);

    const again = new EmbeddedConnector();
    await again.connect(
      resolveConnectorConfig({
        embedded: { persistent: false, tcpPort: port, httpPort: null, rootPassword: 'iggy' },
      }),
    );
    await again.ensureStream('s');
    await again.ensureTopic('s', { name: 't', partitions: 2 });
    const deadline = Date.now() + 10_000;
    while (!connector.isConnected() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(reconnects).toBe(1);
    await connector.publish(message());
    await connector.shutdown();
    await again.shutdown();
  }, 30_000);

  it('shuts down within shutdownTimeoutMs while publishes wait for a server that does not answer', async () => {
    const server = await startServer();
    const proxy = await TcpProxy.start({ host: '127.0.0.1', port: server.tcpPort! });
    const connector = await remoteTo(proxy.address, {
      remote: { requestTimeoutMs: 60_000, offlineTimeoutMs: Infinity },
      shutdownTimeoutMs: 300,
    });
    proxy.pause(); // the server answers nothing more: the publishes would wait 60 s
    const pending = Array.from({ length: 5 }, () => connector.publish(message()).catch((e: unknown) => e));
    await new Promise((r) => setTimeout(r, 50));
    const shutdown = await timed(() => connector.shutdown());
    expect(shutdown.error).toBeUndefined();
    expect(shutdown.ms).toBeLessThan(5_000);
    for (const outcome of await Promise.all(pending)) {
      expect(outcome).toBeInstanceOf(ConnectorError);
      expect((outcome as ConnectorError).kind).toMatch(/NotConnected|Connection/);
    }
    await proxy.close();
    await server.shutdown();
  }, 30_000);
});
