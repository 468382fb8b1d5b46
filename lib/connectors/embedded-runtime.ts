import { mkdir } from 'node:fs/promises';
import { Broker } from '../broker/broker.js';
import { BrokerMetrics } from '../broker/http/broker-metrics.js';
import { BrokerHttpServer } from '../broker/http/http-server.js';
import { BrokerTcpServer } from '../broker/tcp/tcp-server.js';
import { isErrno } from '../broker/storage/file-io.js';
import type { EmbeddedConfig } from './connector-config.js';
import { ConnectorError } from './connector-error.js';

/** How long closing the TCP listener lets connections finish their requests. */
const TCP_SHUTDOWN_MS = 5_000;

/**
 * The in-process broker of an `EmbeddedConnector` and its optional listeners: TCP (the Iggy binary
 * protocol, for the `iggy` CLI and other services) and HTTP (stats, metrics). Stopping closes the
 * listeners, then the broker (flush, release of the data-directory lock).
 */
export class EmbeddedRuntime {
  private stopping: Promise<void> | undefined;

  private constructor(
    readonly broker: Broker,
    readonly tcp: BrokerTcpServer | null,
    readonly http: BrokerHttpServer | null,
  ) {}

  static async start(config: EmbeddedConfig): Promise<EmbeddedRuntime> {
    checkEmbeddedConfig(config);
    if (config.persistent) await createDataDir(config.dataDir);
    const broker = await Broker.open({
      dataDir: config.persistent ? config.dataDir : undefined,
      persistent: config.persistent,
      fsync: config.fsync,
      rootUsername: config.rootUsername,
      rootPassword: config.rootPassword,
    });
    let tcp: BrokerTcpServer | null = null;
    let http: BrokerHttpServer | null = null;
    try {
      const metrics = config.httpPort === null ? undefined : new BrokerMetrics(broker);
      if (config.tcpPort !== null) {
        tcp = new BrokerTcpServer(broker, {
          host: config.host,
          port: config.tcpPort,
          observer: metrics,
          httpPort: () => (http ? http.address.port : 0),
        });
        await listen(() => tcp!.listen(), 'tcpPort', config.host, config.tcpPort);
      }
      if (config.httpPort !== null) {
        http = new BrokerHttpServer(broker, { host: config.host, port: config.httpPort, metrics });
        await listen(() => http!.listen(), 'httpPort', config.host, config.httpPort);
      }
    } catch (err) {
      await tcp?.close(0).catch(() => undefined);
      await http?.close().catch(() => undefined);
      await broker.close();
      throw err;
    }
    return new EmbeddedRuntime(broker, tcp, http);
  }

  /** The bound TCP port (the real one when 0 was asked); null without a TCP listener. */
  get tcpPort(): number | null {
    return this.tcp?.address.port ?? null;
  }

  /** The bound HTTP port; null without an HTTP listener. */
  get httpPort(): number | null {
    return this.http?.address.port ?? null;
  }

  /** Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    try {
      await Promise.all([this.tcp?.close(TCP_SHUTDOWN_MS), this.http?.close()]);
    } finally {
      await this.broker.close();
    }
  }
}

function checkEmbeddedConfig(config: EmbeddedConfig): void {
  if (config.persistent && !config.dataDir) {
    throw new ConnectorError('Config', 'embedded.dataDir is required when embedded.persistent is true');
  }
  for (const key of ['tcpPort', 'httpPort'] as const) {
    const port = config[key];
    if (port !== null && (!Number.isInteger(port) || port < 0 || port > 65535)) {
      throw new ConnectorError('Config', `embedded.${key} must be 0..65535 or null, got ${String(port)}`);
    }
  }
  if (!config.rootUsername || !config.rootPassword) {
    throw new ConnectorError('Config', 'embedded.rootUsername and embedded.rootPassword are required');
  }
}

async function createDataDir(dataDir: string): Promise<void> {
  try {
    await mkdir(dataDir, { recursive: true });
  } catch (err) {
    throw new ConnectorError('Config', `embedded.dataDir '${dataDir}' cannot be created`, { cause: err });
  }
}

async function listen(start: () => Promise<unknown>, key: string, host: string, port: number): Promise<void> {
  try {
    await start();
  } catch (err) {
    const why = isErrno(err, 'EADDRINUSE')
      ? 'is in use'
      : isErrno(err, 'EACCES')
        ? 'needs privileges'
        : `cannot be bound (${err instanceof Error ? err.message : String(err)})`;
    throw new ConnectorError('Config', `embedded.${key}: ${host}:${port} ${why}`, { cause: err });
  }
}
