import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConnectorConfig, type ConnectorConfigInput } from '../../lib/connectors/connector-config.js';
import { EmbeddedConnector } from '../../lib/connectors/embedded-connector.js';
import { connectorContract } from './connector-contract.js';
import { remoteHarness } from './remote-error-cases.js';

/** The RemoteConnector against the embedded broker's TCP listener (a persistent one, so it can restart). */
connectorContract(
  'RemoteConnector → embedded broker over TCP',
  { failover: true, restart: true },
  async () => {
    const root = await mkdtemp(join(tmpdir(), 'nestjs-iggy-remote-contract-'));
    const serverConfig = (tcpPort: number): ConnectorConfigInput => ({
      embedded: { dataDir: root, persistent: true, tcpPort, httpPort: null, rootPassword: 'iggy' },
    });
    let server = new EmbeddedConnector();
    await server.connect(resolveConnectorConfig(serverConfig(0)));
    const port = server.tcpPort!;
    const config: ConnectorConfigInput = {
      mode: 'remote',
      remote: {
        addresses: [`127.0.0.1:${port}`],
        requestTimeoutMs: 10_000,
        // A persistent broker's shutdown and reopen may outlast the default 2 s wait on a loaded machine
        // (it did in CI); these cases are about what survives a restart, the wait has its own tests.
        offlineTimeoutMs: 30_000,
        reconnect: { initialDelayMs: 50, maxDelayMs: 500 },
      },
    };
    return remoteHarness(config, {
      restartServer: async () => {
        await server.shutdown();
        server = new EmbeddedConnector();
        await server.connect(resolveConnectorConfig(serverConfig(port)));
      },
      close: async () => {
        await server.shutdown();
        await rm(root, { recursive: true, force: true });
      },
    });
  },
);
