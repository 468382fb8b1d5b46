import type { BrokerConfig } from './broker-config.js';
import { Broker } from './broker.js';
import { BrokerMetrics } from './http/broker-metrics.js';
import { BrokerHttpServer, HttpServerDefaults } from './http/http-server.js';
import type { ListenAddress, ListenerKind } from './listen.js';
import { checkNetworkExposure } from './network-exposure.js';
import type { ConnectionLimits } from './tcp/connection-limits.js';
import { BrokerTcpServer, TcpServerDefaults } from './tcp/tcp-server.js';
import type { TlsMaterial } from './tcp/tls-material.js';

/** A broker with its network faces: the Iggy binary protocol over TCP (or TLS) and the HTTP stats API. */
export interface EmbeddedServerConfig extends BrokerConfig {
  /** Address the TCP listener binds to. Default 127.0.0.1. */
  host?: string;
  /**
   * Address the HTTP listener binds to. Default 127.0.0.1, whatever `host` is: the HTTP API shows every
   * stream, topic, group and offset, and asks for credentials off loopback.
   */
  httpHost?: string;
  /**
   * Listen on a non-loopback address although the root user has the default password `iggy`. Default
   * false: `start` fails with an `InsecureListenerError` saying why.
   */
  allowDefaultRootPassword?: boolean;
  /** More names the HTTP API's `Host` header may carry (DNS rebinding protection; loopback names pass). */
  httpAllowedHosts?: readonly string[];
  /** Connection limits of the TCP listener (see `ConnectionLimits`). */
  limits?: Partial<ConnectionLimits>;
  /** Default 8090; 0 picks a free port; null: no TCP listener (the broker is used in process only). */
  tcpPort?: number | null;
  /** Default 3000; 0 picks a free port; null (or the older `false`): no HTTP listener. */
  httpPort?: number | null | false;
  /** Serve the binary protocol over TLS with this certificate and key (PEM text or file paths). */
  tls?: TlsMaterial;
  /** Largest SendMessages payload accepted. Default 64 MiB. */
  maxFrameBytes?: number;
  /** How long `stop` lets connections finish their requests before closing them. Default 5 s. */
  shutdownTimeoutMs?: number;
}

/**
 * Starts a `Broker` with the listeners asked for (TCP and HTTP by default, either or both can be left
 * out) and stops them together: `stop` stops accepting, lets in-flight requests finish (bounded by
 * `shutdownTimeoutMs`), closes the sockets, then closes the broker (flush, release of the data-directory
 * lock), so the same data directory and ports can be opened again right after. A listener that cannot
 * bind fails `start` with a `ListenError`, one on a non-loopback address while root has the default
 * password with an `InsecureListenerError` (everything started is closed again).
 */
export class EmbeddedServer {
  private stopping: Promise<void> | null = null;

  private constructor(
    readonly broker: Broker,
    /** null when started with `tcpPort: null`. */
    readonly tcp: BrokerTcpServer | null,
    /** null when started with `httpPort: null`. */
    readonly http: BrokerHttpServer | null,
    private readonly shutdownTimeoutMs: number,
  ) {}

  static async start(config: EmbeddedServerConfig = { persistent: false }): Promise<EmbeddedServer> {
    const {
      host,
      httpHost,
      httpAllowedHosts,
      allowDefaultRootPassword,
      limits,
      tcpPort,
      httpPort,
      tls,
      maxFrameBytes,
      shutdownTimeoutMs,
      ...brokerConfig
    } = config;
    const withTcp = tcpPort !== null;
    const withHttp = httpPort !== null && httpPort !== false;
    const tcpHost = host ?? TcpServerDefaults.host;
    const httpBindHost = httpHost ?? HttpServerDefaults.host;
    const listeners: { kind: ListenerKind; host: string }[] = [];
    if (withTcp) listeners.push({ kind: 'tcp', host: tcpHost });
    if (withHttp) listeners.push({ kind: 'http', host: httpBindHost });
    const broker = await Broker.open(brokerConfig);
    // The metrics are only ever read over HTTP: without it, nothing needs counting.
    const metrics = withHttp ? new BrokerMetrics(broker) : undefined;
    let tcp: BrokerTcpServer | null = null;
    let http: BrokerHttpServer | null = null;
    try {
      await checkNetworkExposure(broker, listeners, allowDefaultRootPassword ?? false);
      if (withTcp) {
        tcp = new BrokerTcpServer(broker, {
          host: tcpHost,
          limits,
          port: tcpPort ?? TcpServerDefaults.port,
          tls,
          maxFrameBytes,
          observer: metrics,
          httpPort: () => (http ? http.address.port : 0),
        });
        await tcp.listen();
      }
      if (withHttp) {
        http = new BrokerHttpServer(broker, {
          host: httpBindHost,
          allowedHosts: httpAllowedHosts,
          port: httpPort ?? HttpServerDefaults.port,
          metrics,
        });
        await http.listen();
      }
    } catch (error) {
      await tcp?.close(0).catch(() => undefined);
      await http?.close().catch(() => undefined);
      await broker.close();
      throw error;
    }
    return new EmbeddedServer(broker, tcp, http, shutdownTimeoutMs ?? 5_000);
  }

  /** Where the binary protocol listens; throws when started without TCP (`tcpPort: null`). */
  get tcpAddress(): ListenAddress {
    if (!this.tcp) throw new Error('this EmbeddedServer has no TCP listener (tcpPort: null)');
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
      await Promise.all([this.tcp?.close(this.shutdownTimeoutMs), this.http?.close()]);
    } finally {
      await this.broker.close();
    }
  }
}
