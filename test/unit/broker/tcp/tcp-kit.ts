import { Broker } from '../../../../lib/broker/broker.js';
import type { BrokerConfig } from '../../../../lib/broker/broker-config.js';
import { BrokerTcpServer, type TcpServerOptions } from '../../../../lib/broker/tcp/tcp-server.js';
import { IggyClient, type IggyClientOptions } from '../../../../lib/client/index.js';
import type { CommandCodec } from '../../../../lib/protocol/command-codec.js';

/** An in-memory broker behind a TCP server on an ephemeral loopback port. */
export interface TcpFixture {
  broker: Broker;
  server: BrokerTcpServer;
  port: number;
  /** A client with reconnection off (closed by `stop`). Logged in as root unless `credentials: undefined`. */
  client(options?: IggyClientOptions): Promise<IggyClient>;
  stop(): Promise<void>;
}

export const ROOT = { username: 'iggy', password: 'iggy' } as const;

export async function startTcpFixture(
  options: TcpServerOptions = {},
  brokerConfig: BrokerConfig = {},
): Promise<TcpFixture> {
  const broker = await Broker.open({
    persistent: false,
    retentionIntervalMs: 0,
    rootUsername: ROOT.username,
    rootPassword: ROOT.password,
    ...brokerConfig,
  });
  const server = new BrokerTcpServer(broker, { port: 0, ...options });
  const { port } = await server.listen();
  const clients: IggyClient[] = [];
  return {
    broker,
    server,
    port,
    async client(clientOptions: IggyClientOptions = { credentials: ROOT }) {
      const c = new IggyClient({
        addresses: [`127.0.0.1:${port}`],
        reconnect: false,
        requestTimeoutMs: 10_000,
        ...clientOptions,
      });
      clients.push(c);
      await c.connect();
      return c;
    },
    async stop() {
      for (const c of clients) await c.close().catch(() => undefined);
      await server.close(1_000);
      await broker.close();
    },
  };
}

/** A codec for a command code the server does not know (payload and answer empty). */
export function unknownCommandCodec(code: number): CommandCodec<void, void> {
  return {
    name: 'Ping',
    code: code as 1,
    encodeRequest: () => Buffer.alloc(0),
    decodeRequest: () => undefined,
    encodeResponse: () => Buffer.alloc(0),
    decodeResponse: () => undefined,
  };
}
