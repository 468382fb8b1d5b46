import net, { type Server, type Socket } from 'node:net';
import tls from 'node:tls';
import { Limits } from '../../protocol/limits.js';
import type { BrokerLogger } from '../broker-config.js';
import type { Broker } from '../broker.js';
import { listenOn, type ListenAddress } from '../listen.js';
import { commandHandlers, type ServerEndpoints } from './command-handlers.js';
import { ConnectionLimitDefaults, MemoryBudget, type ConnectionLimits } from './connection-limits.js';
import { ConnectionRefuser } from './connection-refuser.js';
import { FrameBufferPool } from './frame-buffer-pool.js';
import { TcpConnection, type TcpObserver } from './tcp-connection.js';
import { loadTlsMaterial, type TlsMaterial } from './tls-material.js';

/** How the broker's TCP listener runs. Every field has a default. */
export interface TcpServerOptions {
  /** Default 127.0.0.1 (loopback only). */
  host?: string;
  /** Default 8090 (the real server's); 0 picks a free port (see `port` after `listen`). */
  port?: number;
  /** Serve TLS with this certificate and key (PEM text, Buffers, or file paths). */
  tls?: TlsMaterial;
  /** Largest SendMessages payload accepted. Default 64 MiB. */
  maxFrameBytes?: number;
  /** Largest payload of any other command. Default 10 MiB (`Limits.maxControlPayloadBytes`). */
  maxControlFrameBytes?: number;
  /**
   * Limits per connection and for all of them (see `ConnectionLimits`): default 4096 connections, 4 KiB
   * logins, 1024 queued requests or 1 MiB per connection, 256 MiB of request bytes in all, 10 s to log in.
   */
  limits?: Partial<ConnectionLimits>;
  /** Default: the broker's logger. */
  logger?: BrokerLogger;
  observer?: TcpObserver;
  /** The HTTP port reported by GetClusterMetadata (0 when there is none). */
  httpPort?: () => number;
}

export const TcpServerDefaults = {
  host: '127.0.0.1',
  port: 8090,
  maxFrameBytes: 64 * 1024 * 1024,
  maxControlFrameBytes: Limits.maxControlPayloadBytes,
} as const;

/** Spare SendMessages buffers kept for reuse, shared by all connections. */
const FRAME_POOL_LIMITS = { maxBuffers: 16, maxBytes: 32 * 1024 * 1024 };

/**
 * The broker's binary TCP (or TLS) listener, wire-compatible with Iggy server 0.7: one `TcpConnection`
 * per client, each bound to a broker client id (disconnect leaves its consumer groups).
 */
export class BrokerTcpServer {
  private readonly server: Server;
  private readonly connections = new Set<TcpConnection>();
  private readonly logger: BrokerLogger;
  private readonly framePool = new FrameBufferPool(FRAME_POOL_LIMITS);
  private readonly limits: ConnectionLimits;
  private readonly budget: MemoryBudget;
  private readonly refuser: ConnectionRefuser;
  private bound: ListenAddress | null = null;
  private closing: Promise<void> | null = null;

  constructor(
    private readonly broker: Broker,
    private readonly options: TcpServerOptions = {},
  ) {
    this.logger = options.logger ?? broker.config.logger;
    const given: Partial<ConnectionLimits> = options.limits ?? {};
    this.limits = Object.fromEntries(
      Object.entries(ConnectionLimitDefaults).map(([key, value]) => [
        key,
        given[key as keyof ConnectionLimits] ?? value,
      ]),
    ) as unknown as ConnectionLimits;
    this.budget = new MemoryBudget(this.limits.maxBufferedBytes);
    this.refuser = new ConnectionRefuser(this.logger);
    const onSocket = (socket: Socket): void => this.accept(socket);
    this.server = options.tls
      ? tls.createServer({ ...loadTlsMaterial(options.tls), minVersion: 'TLSv1.2' }, onSocket)
      : net.createServer(onSocket);
    this.server.on('error', (error) => this.logger.error(`TCP server: ${error.message}`));
    if (options.tls) {
      this.server.on('tlsClientError', (error: Error) =>
        this.logger.debug?.(`TLS handshake failed: ${error.message}`),
      );
    }
  }

  /** Binds and starts accepting; resolves with the bound address (the real port when 0 was asked). */
  async listen(): Promise<ListenAddress> {
    const host = this.options.host ?? TcpServerDefaults.host;
    const port = this.options.port ?? TcpServerDefaults.port;
    this.bound = await listenOn(this.server, 'tcp', host, port);
    return this.bound;
  }

  /** The bound address (after `listen`). */
  get address(): ListenAddress {
    if (!this.bound) throw new Error('the TCP server is not listening');
    return this.bound;
  }

  get tls(): boolean {
    return this.options.tls !== undefined;
  }

  /** Open client connections. */
  get connectionCount(): number {
    return this.connections.size;
  }

  /** Decoded requests waiting on all connections now. */
  get queuedRequests(): number {
    let n = 0;
    for (const c of this.connections) n += c.queuedRequests;
    return n;
  }

  /** Request bytes held by all connections now (against `limits.maxBufferedBytes`). */
  get bufferedBytes(): number {
    return this.budget.used;
  }

  /**
   * Stops accepting, lets every connection finish the requests it has received (answers included),
   * then closes the sockets; connections still busy after `timeoutMs` are destroyed.
   */
  close(timeoutMs = 5_000): Promise<void> {
    this.closing ??= this.shutdown(timeoutMs);
    return this.closing;
  }

  private async shutdown(timeoutMs: number): Promise<void> {
    const stopped = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.refuser.close();
    const graceful = Promise.all([...this.connections].map((c) => c.shutdown()));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const outcome = await Promise.race([graceful, timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      this.logger.warn(
        `TCP server: ${this.connections.size} connection(s) still busy after ${timeoutMs} ms, closing them`,
      );
      for (const c of this.connections) c.destroy();
      await Promise.all([...this.connections].map((c) => c.closedSignal));
    }
    await stopped;
  }

  private accept(socket: Socket): void {
    if (this.closing) {
      socket.destroy();
      return;
    }
    if (this.connections.size >= this.limits.maxConnections) {
      this.refuser.refuse(socket, `${this.limits.maxConnections} connections are open (maxConnections)`);
      return;
    }
    let connection: TcpConnection;
    try {
      connection = new TcpConnection(socket, {
        broker: this.broker,
        handlers: commandHandlers,
        limits: {
          maxSendBytes: this.options.maxFrameBytes ?? TcpServerDefaults.maxFrameBytes,
          maxControlBytes: this.options.maxControlFrameBytes ?? TcpServerDefaults.maxControlFrameBytes,
        },
        logger: this.logger,
        endpoints: () => this.endpoints(),
        observer: this.options.observer,
        connectionLimits: this.limits,
        budget: this.budget,
        framePool: this.framePool,
      });
    } catch (error) {
      // The broker refused the client (it is closing): drop the socket.
      this.logger.warn(`TCP server: connection refused: ${String(error)}`);
      socket.destroy();
      return;
    }
    this.connections.add(connection);
    void connection.closedSignal.then(() => this.connections.delete(connection));
  }

  private endpoints(): ServerEndpoints {
    const { host, port } = this.address;
    return { host, tcpPort: port, httpPort: this.options.httpPort?.() ?? 0 };
  }
}
