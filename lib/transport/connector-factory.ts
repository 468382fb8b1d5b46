import type { ConnectorConfigInput } from '../connectors/connector-config.js';
import { EmbeddedConnector } from '../connectors/embedded-connector.js';
import type { IggyConnector } from '../connectors/iggy-connector.js';
import { RemoteConnector } from '../connectors/remote-connector.js';

/** A new, unconnected connector for the config's `mode` (default embedded). */
export function connectorForMode(config: ConnectorConfigInput = {}): IggyConnector {
  return config.mode === 'remote' ? new RemoteConnector() : new EmbeddedConnector();
}

/** True for a connector instance (rather than a connector config). */
export function isConnector(value: unknown): value is IggyConnector {
  if (typeof value !== 'object' || value === null) return false;
  const c = value as Partial<Record<keyof IggyConnector, unknown>>;
  return (
    typeof c.connect === 'function' &&
    typeof c.publish === 'function' &&
    typeof c.subscribeGroup === 'function'
  );
}
