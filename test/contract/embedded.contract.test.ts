import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConnectorConfig, type ConnectorConfigInput } from '../../lib/connectors/connector-config.js';
import { EmbeddedConnector } from '../../lib/connectors/embedded-connector.js';
import { connectorContract } from './connector-contract.js';
import type { ErrorCase } from './contract-harness.js';

const inMemory: ConnectorConfigInput = {
  mode: 'embedded',
  embedded: { persistent: false, tcpPort: null, httpPort: null },
};

async function connectEmbedded(config: ConnectorConfigInput): Promise<void> {
  const connector = new EmbeddedConnector();
  try {
    await connector.connect(resolveConnectorConfig(config));
  } finally {
    await connector.shutdown();
  }
}

/** Config failures any embedded connector meets. */
function embeddedConfigCases(): ErrorCase[] {
  return [
    {
      kind: 'Config',
      name: 'persistent without a data directory',
      provoke: () =>
        connectEmbedded({ embedded: { persistent: true, dataDir: '', tcpPort: null, httpPort: null } }),
    },
    {
      kind: 'Config',
      name: 'a negative TCP port',
      provoke: () => connectEmbedded({ embedded: { ...inMemory.embedded, tcpPort: -1 } }),
    },
    {
      kind: 'Config',
      name: 'a listener off loopback while root has the default password',
      provoke: () =>
        connectEmbedded({
          embedded: { ...inMemory.embedded, tcpPort: 0, host: '0.0.0.0', rootPassword: 'iggy' },
        }),
    },
    {
      kind: 'Config',
      name: 'a TCP port in use',
      provoke: async () => {
        const busy = net.createServer();
        await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
        const port = (busy.address() as net.AddressInfo).port;
        try {
          await connectEmbedded({ embedded: { ...inMemory.embedded, tcpPort: port } });
        } finally {
          busy.close();
        }
      },
    },
  ];
}

connectorContract('EmbeddedConnector, in memory', {}, async () => ({
  create: () => new EmbeddedConnector(),
  config: () => inMemory,
  durable: false,
  errorCases: () => embeddedConfigCases(),
  close: async () => undefined,
}));

connectorContract('EmbeddedConnector, temp data directory', {}, async () => {
  const root = await mkdtemp(join(tmpdir(), 'nestjs-iggy-contract-'));
  const config: ConnectorConfigInput = {
    mode: 'embedded',
    embedded: { dataDir: join(root, 'main'), persistent: true, tcpPort: null, httpPort: null },
  };
  return {
    create: () => new EmbeddedConnector(),
    config: () => config,
    scratchConfig: () => inMemory,
    durable: true,
    errorCases: () => [
      ...embeddedConfigCases(),
      {
        kind: 'Config',
        name: 'a second connector on the same data directory',
        provoke: async () => {
          const err = await connectEmbedded(config).catch((e: unknown) => e);
          if (err instanceof Error && !/held by pid \d+/.test(err.message)) {
            throw new Error(`the lock holder is not named: ${err.message}`);
          }
          throw err;
        },
      },
    ],
    close: () => rm(root, { recursive: true, force: true }),
  };
});
