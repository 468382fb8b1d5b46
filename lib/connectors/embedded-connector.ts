import type { Registry } from 'prom-client';
import type { Broker } from '../broker/broker.js';
import type { BrokerSession } from '../broker/broker-session.js';
import type { EmbeddedServer } from '../broker/embedded-server.js';
import type { BrokerHttpServer } from '../broker/http/http-server.js';
import { ROOT_USER_ID } from '../broker/metadata/users.js';
import { ConnectorBase } from './connector-base.js';
import type { ConnectorConfig } from './connector-config.js';
import type { SessionFactory } from './connector-session.js';
import { startEmbeddedServer } from './embedded-runtime.js';

/**
 * Iggy in the same process: `connect` opens the embedded broker (`config.embedded`: data directory,
 * persistence, fsync, root credentials for network clients) and works over its in-process sessions
 * (`BrokerSession`), with no socket and no re-encoding: a publish encodes its messages once into the
 * wire layout the broker stamps and stores, a subscriber decodes the bytes the broker's poll returns and
 * waits for the broker's append signal when idle. Optional TCP and HTTP listeners (`embedded.tcpPort`,
 * `embedded.httpPort`; `0` = ephemeral, `null` = off) let the `iggy` CLI and other services reach the
 * same data; `tcpPort` / `httpPort` tell where they are bound. One data directory serves one
 * connector: a second one on the same directory fails with `Config`, naming the lock holder.
 *
 * ```ts
 * const connector = new EmbeddedConnector();
 * await connector.connect(resolveConnectorConfig({ embedded: { dataDir: './data/iggy', tcpPort: 0 } }));
 * ```
 */
export class EmbeddedConnector extends ConnectorBase<EmbeddedSessions> {
  protected readonly label = 'EmbeddedConnector';

  /** The in-process broker (for inspection and tools); undefined when not connected. */
  get broker(): Broker | undefined {
    return this.sessions?.server.broker;
  }

  /** The dashboard of the HTTP listener (`/`); undefined when there is none (or not connected). */
  get httpDashboard(): BrokerHttpServer['dashboard'] | undefined {
    return this.sessions?.server.http?.dashboard;
  }

  /** Where the TCP listener is bound; null when there is none (or not connected). */
  get tcpPort(): number | null {
    return this.sessions?.server.tcp?.address.port ?? null;
  }

  /** The broker's Prometheus registry (served on its HTTP `/metrics`); undefined without an HTTP listener. */
  get metricsRegistry(): Registry | undefined {
    return this.sessions?.server.http?.metrics.registry;
  }

  /** Where the HTTP listener is bound; null when there is none (or not connected). */
  get httpPort(): number | null {
    return this.sessions?.server.httpAddress?.port ?? null;
  }

  /** Starts the broker (which applies the configured root credentials, see `BrokerConfig.rootPassword`). */
  protected async openSessions(config: ConnectorConfig): Promise<EmbeddedSessions> {
    return new EmbeddedSessions(await startEmbeddedServer(config.embedded));
  }
}

/**
 * In-process sessions of the root user: the process owns the data directory, so no password is checked
 * (nor needed: it is random unless configured), and opening one costs no Argon2 verification.
 */
class EmbeddedSessions implements SessionFactory {
  readonly main: BrokerSession;

  constructor(readonly server: EmbeddedServer) {
    this.main = server.broker.openSession(ROOT_USER_ID, 'embedded-connector');
  }

  /** The version the embedded broker reports (`BrokerConfig.serverVersion`). */
  get serverVersion(): string {
    return this.server.broker.config.serverVersion;
  }

  async open(): Promise<BrokerSession> {
    return this.server.broker.openSession(ROOT_USER_ID, 'embedded-subscriber');
  }

  /** Stops the listeners and closes the broker: the data directory is unlocked and the ports are free. */
  close(): Promise<void> {
    return this.server.stop();
  }
}
