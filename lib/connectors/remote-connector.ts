import { createIggyClient } from '../client/client-factory.js';
import type { IggyClient } from '../client/iggy-client.js';
import type { IggyClientOptions } from '../client/options.js';
import { ConnectorBase } from './connector-base.js';
import { ReconnectTogether } from './reconnect-together.js';
import type { ConnectorConfig } from './connector-config.js';
import type { SessionFactory } from './connector-session.js';
import { remoteClientOptions } from './remote-client-options.js';

/**
 * A real Iggy server (0.7 or 0.8: the binary protocol over TCP or TLS, or, with `remote.protocol:
 * 'http'`, its HTTP API, where consumer groups are not available) through `IggyClient`. `config.remote`: the
 * addresses, tried in order on every (re)connect; username/password or a personal access token; TLS.
 * Connections: one for publishing and administration (each batch is one SendMessages to the partition
 * its keys hash to, pipelined: one connection answers in order), and one per subscription (group
 * membership is per connection, and a slow consumer must not hold up publishes). Every connection
 * reconnects and logs in again by itself; a subscription then rejoins its group and resumes from the
 * stored offsets. While a connection is down, its requests wait `remote.offlineTimeoutMs` for it, then
 * fail with `Connection` at once until it is back.
 */
export class RemoteConnector extends ConnectorBase<RemoteSessions> {
  protected readonly label = 'RemoteConnector';
  private readonly reconnectListeners = new Set<() => void>();

  onReconnect(listener: () => void): () => void {
    this.reconnectListeners.add(listener);
    return () => this.reconnectListeners.delete(listener);
  }

  /** Address of the live publishing connection, e.g. `127.0.0.1:8090`. */
  get address(): string | undefined {
    return this.sessions?.main.address;
  }

  protected async openSessions(config: ConnectorConfig): Promise<RemoteSessions> {
    const options = remoteClientOptions(config.remote);
    const main = await connectClient(options);
    // Connected already: every 'connected' from now on is a reconnection.
    main.on('connected', () => {
      for (const listener of this.reconnectListeners) listener();
    });
    return new RemoteSessions(options, main);
  }
}

/** Connections to the server, each logged in with the configured credentials. */
class RemoteSessions implements SessionFactory {
  private readonly together = new ReconnectTogether();

  constructor(
    private readonly options: IggyClientOptions,
    readonly main: IggyClient,
  ) {
    this.together.add(main);
  }

  /** As the server reported it after the publishing connection's last login (see `IggyClient.serverVersion`). */
  get serverVersion(): string | null {
    return this.main.serverVersion;
  }

  /** A dedicated connection (the publishing connection knows the server's version). */
  async open(): Promise<IggyClient> {
    const client = await connectClient({ ...this.options, detectServerVersion: false });
    this.together.add(client);
    return client;
  }

  close(): Promise<void> {
    return this.main.close();
  }
}

/** A connected, logged-in client; it reconnects by itself, failed attempts show up as request failures. */
async function connectClient(options: IggyClientOptions): Promise<IggyClient> {
  const client = createIggyClient(options);
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (err) {
    await client.close().catch(() => undefined);
    throw err;
  }
  return client;
}
