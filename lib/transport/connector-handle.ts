import { resolveConnectorConfig, type ConnectorConfigInput } from '../connectors/connector-config.js';
import type { IggyConnector } from '../connectors/iggy-connector.js';
import { TopologyManager } from '../topology/topology-manager.js';
import { connectorForMode, isConnector } from './connector-factory.js';
import { IggyTransportError } from './transport-errors.js';

/**
 * A transport's connector: either shared (given as an instance: someone else connects it and shuts it
 * down) or owned (made from a config: connected, topology ensured, and shut down by the transport).
 */
export class ConnectorHandle {
  private starting: Promise<void> | undefined;

  private constructor(
    readonly connector: IggyConnector,
    readonly owned: boolean,
    private readonly config: ConnectorConfigInput,
  ) {}

  static of(source: IggyConnector | ConnectorConfigInput): ConnectorHandle {
    return isConnector(source)
      ? new ConnectorHandle(source, false, {})
      : new ConnectorHandle(connectorForMode(source), true, source);
  }

  /** Owned: connects and ensures the topology (once). Shared: checks it is connected. */
  start(who: string): Promise<void> {
    if (!this.owned) {
      if (this.connector.isConnected()) return Promise.resolve();
      return Promise.reject(
        new IggyTransportError(
          `${who}: the connector it was given is not connected: not yet (connect it first, or pass a ` +
            'connector config), or no longer (the application or the connector was shut down)',
        ),
      );
    }
    this.starting ??= (async () => {
      // The TopologyManager makes the topics, with their retention: not the connector's bare ensure.
      await this.connector.connect({ ...resolveConnectorConfig(this.config), ensureTopology: false });
      await new TopologyManager(this.connector).ensure();
    })().catch((err: unknown) => {
      this.starting = undefined;
      throw err;
    });
    return this.starting;
  }

  /** Owned: shuts the connector down. Shared: nothing. */
  async stop(): Promise<void> {
    this.starting = undefined;
    if (this.owned) await this.connector.shutdown();
  }
}
