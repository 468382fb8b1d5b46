import net from 'node:net';
import { resolveConnectorConfig, type ConnectorConfigInput } from '../../lib/connectors/connector-config.js';
import { RemoteConnector } from '../../lib/connectors/remote-connector.js';
import type { ContractHarness, ErrorCase } from './contract-harness.js';

/** A TCP listener that accepts and never answers (for timeouts). */
export async function silentServer(): Promise<{ address: string; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    address: `127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A loopback address nothing listens on (connections are refused). */
export async function refusingAddress(): Promise<string> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `127.0.0.1:${port}`;
}

async function connectWith(
  base: ConnectorConfigInput,
  remote: ConnectorConfigInput['remote'],
): Promise<void> {
  const connector = new RemoteConnector();
  try {
    await connector.connect(resolveConnectorConfig({ ...base, remote: { ...base.remote, ...remote } }));
  } finally {
    await connector.shutdown();
  }
}

/** Failures only a remote connector meets: credentials, unreachable or silent servers, bad remote config. */
export function remoteErrorCases(base: ConnectorConfigInput, refusing: string, silent: string): ErrorCase[] {
  return [
    {
      kind: 'Auth',
      name: 'wrong password',
      provoke: () => connectWith(base, { password: 'wrong-password' }),
    },
    {
      kind: 'Auth',
      name: 'unknown personal access token',
      provoke: () => connectWith(base, { token: 'not-a-token-at-all' }),
    },
    {
      kind: 'Connection',
      name: 'every address refuses',
      provoke: () => connectWith(base, { addresses: [refusing] }),
    },
    {
      kind: 'Timeout',
      name: 'a server that never answers',
      provoke: () => connectWith(base, { addresses: [silent], requestTimeoutMs: 300, reconnect: false }),
    },
    {
      kind: 'Config',
      name: "protocol 'quic'",
      provoke: () => connectWith(base, { protocol: 'quic' as 'tcp' }),
    },
    {
      kind: 'Config',
      name: 'a CA file that does not exist',
      provoke: () => connectWith(base, { tlsEnabled: true, tlsCaFile: '/nonexistent/ca.pem' }),
    },
    {
      kind: 'Config',
      name: 'an address without a port number',
      provoke: () => connectWith(base, { addresses: ['127.0.0.1:port'] }),
    },
  ];
}

/**
 * A contract harness of `RemoteConnector`s on `config`, with a refusing address (failover) and the remote
 * error cases; `extra` adds to it (restart) and its `close` runs after the harness's own.
 */
export async function remoteHarness(
  config: ConnectorConfigInput,
  extra: Partial<ContractHarness> = {},
): Promise<ContractHarness> {
  const refusing = await refusingAddress();
  const silent = await silentServer();
  return {
    create: () => new RemoteConnector(),
    config: () => config,
    durable: true,
    refusingAddress: refusing,
    errorCases: () => remoteErrorCases(config, refusing, silent.address),
    ...extra,
    close: async () => {
      await silent.close();
      await extra.close?.();
    },
  };
}
