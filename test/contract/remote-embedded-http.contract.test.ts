import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConnectorConfig, type ConnectorConfigInput } from '../../lib/connectors/connector-config.js';
import { EmbeddedConnector } from '../../lib/connectors/embedded-connector.js';
import { connectorContract } from './connector-contract.js';
import { remoteHarness } from './remote-error-cases.js';

/**
 * The RemoteConnector with `protocol: 'http'` against the embedded broker's Iggy HTTP API. Consumer
 * groups are left out: the HTTP API (the real server's as well) has no group membership.
 */
connectorContract(
  'RemoteConnector → embedded broker over HTTP',
  { failover: true, groups: false },
  async () => {
    const root = await mkdtemp(join(tmpdir(), 'nestjs-iggy-http-contract-'));
    const server = new EmbeddedConnector();
    await server.connect(
      resolveConnectorConfig({
        embedded: { dataDir: root, persistent: true, tcpPort: null, httpPort: 0, rootPassword: 'iggy' },
      }),
    );
    const config: ConnectorConfigInput = {
      mode: 'remote',
      remote: {
        protocol: 'http',
        addresses: [`127.0.0.1:${server.httpPort}`],
        requestTimeoutMs: 10_000,
        reconnect: { initialDelayMs: 50, maxDelayMs: 500 },
      },
    };
    return remoteHarness(config, {
      close: async () => {
        await server.shutdown();
        await rm(root, { recursive: true, force: true });
      },
    });
  },
);
