import type { BrokerConfig } from './broker-config.js';
import { Broker } from './broker.js';
import { BrokerMetrics } from './http/broker-metrics.js';
import { BrokerHttpServer, HttpServerDefaults } from './http/http-server.js';
import { BrokerTcpServer, TcpServerDefaults, type ListenAddress } from './tcp/tcp-server.js';
import type { TlsMaterial } from './tcp/tls-material.js';

/** A broker with its network faces: the Iggy binary protocol over TCP (or TLS) and the HTTP stats API. */
export interface EmbeddedServerConfig extends BrokerConfig {
  /** Address both listeners bind to. Default 127.0.0.1. */
  host?: string;
  /** Default 8090; 0 picks a free port. */
  tcpPort?: number;
  /** Default 3000; 0 picks a free port; false: no HTTP listener. */
  httpPort?: number | false;
  /** Serve the binary protocol over TLS with this certificate and key (PEM text or file paths). */
  tls?: TlsMaterial;
  /** Largest SendMessages payload accepted. Default 64 MiB. */
  maxFrameBytes?: number;
  /** How long `stop` lets connections finish their requests before closing them. Default 5 s. */
  shutdownTimeoutMs?: number;
}

/**
 * Starts a `Broker`, its TCP listener and (unless disabled) its HTTP listener together, and stops them
 * together: `stop` stops accepting, lets in-flight requests finish (bounded by `shutdownTimeoutMs`),
 * closes the sockets, then closes the broker (flush, unlock).
 */
export class EmbeddedServer {
  private stopping: Promise<void> | null = null;

  private constructor(
    readonly broker: Broker,
    readonly tcp: BrokerTcpServer,
    readonly http: BrokerHttpServer | null,
    private readonly shutdownTimeoutMs: number,
  ) {}

  static async start(config: EmbeddedServerConfig = { persistent: false }): Promise<EmbeddedServer> {
    const { host, tcpPort, httpPort, tls, maxFrameBytes, shutdownTimeoutMs, ...brokerConfig } = config;
    const broker = await Broker.open(brokerConfig);
    const metrics = new BrokerMetrics(broker);
    let http: BrokerHttpServer | null = null;
    const tcp = new BrokerTcpServer(broker, {
      host: host ?? TcpServerDefaults.host,
      port: tcpPort ?? TcpServerDefaults.port,
      tls,
      maxFrameBytes,
      observer: metrics,
      httpPort: () => (http ? http.address.port : 0),
    });
    try {
      await tcp.listen();
      if (httpPort !== false) {
        http = new BrokerHttpServer(broker, {
          host: host ?? HttpServerDefaults.host,
          port: httpPort ?? HttpServerDefaults.port,
          metrics,
        });
        await http.listen();
      }
    } catch (error) {
      await tcp.close(0).catch(() => undefined);
      await http?.close().catch(() => undefined);
      await broker.close();
      throw error;
    }
    return new EmbeddedServer(broker, tcp, http, shutdownTimeoutMs ?? 5_000);
  }

  /** Where the binary protocol listens. */
  get tcpAddress(): ListenAddress {
    return this.tcp.address;
  }

  /** Where the HTTP API listens; null when disabled. */
  get httpAddress(): ListenAddress | null {
    return this.http?.address ?? null;
  }

  /** Graceful stop (idempotent): listeners, then connections, then the broker. */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    try {
      await Promise.all([this.tcp.close(this.shutdownTimeoutMs), this.http?.close()]);
    } finally {
      await this.broker.close();
    }
  }
}
