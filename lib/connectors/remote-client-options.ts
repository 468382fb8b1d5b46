import { readFileSync } from 'node:fs';
import type { IggyClientOptions, IggyTlsOptions } from '../client/options.js';
import { resolveClientOptions } from '../client/options.js';
import { ConnectorError } from './connector-error.js';
import { toConnectorError } from './connector-error-mapping.js';
import type { RemoteConfig } from './connector-config.js';

/** How long a connector's requests wait for a lost connection before they fail fast. */
export const DEFAULT_OFFLINE_TIMEOUT_MS = 2_000;

/**
 * The `IggyClient` options every connection of a `RemoteConnector` uses: the addresses in order (the
 * client fails over to the next one), TLS, credentials (a token wins over username/password), timeouts
 * and reconnection. Throws `ConnectorError('Config')` for a config the client cannot use.
 */
export function remoteClientOptions(remote: RemoteConfig): IggyClientOptions {
  if (remote.protocol !== 'tcp' && remote.protocol !== 'http') {
    throw new ConnectorError(
      'Config',
      `remote.protocol '${String(remote.protocol)}' is not supported: 'tcp' or 'http' (both with optional TLS)`,
    );
  }
  if (!Array.isArray(remote.addresses) || remote.addresses.length === 0) {
    throw new ConnectorError('Config', 'remote.addresses must list at least one host:port');
  }
  const credentials = remote.token
    ? { token: remote.token }
    : { username: remote.username, password: remote.password };
  if (!('token' in credentials) && (!credentials.username || !credentials.password)) {
    throw new ConnectorError('Config', 'remote: username and password (or a token) are required');
  }
  const options: IggyClientOptions = {
    protocol: remote.protocol,
    addresses: remote.addresses,
    tls: remote.tlsEnabled ? tlsOptions(remote) : false,
    credentials,
    requestTimeoutMs: remote.requestTimeoutMs,
    offlineTimeoutMs: remote.offlineTimeoutMs ?? DEFAULT_OFFLINE_TIMEOUT_MS,
    connectTimeoutMs: remote.connectTimeoutMs,
    reconnect: remote.reconnect === false ? false : { ...remote.reconnect },
    heartbeatIntervalMs: remote.heartbeatIntervalMs,
  };
  try {
    resolveClientOptions(options);
  } catch (err) {
    throw toConnectorError(err, 'Connection', 'remote config');
  }
  return options;
}

function tlsOptions(remote: RemoteConfig): IggyTlsOptions {
  const tls: IggyTlsOptions = { rejectUnauthorized: remote.tlsRejectUnauthorized ?? true };
  if (remote.tlsDomain) tls.servername = remote.tlsDomain;
  if (remote.tlsCaFile) {
    try {
      tls.ca = readFileSync(remote.tlsCaFile);
    } catch (err) {
      throw new ConnectorError('Config', `remote.tlsCaFile '${remote.tlsCaFile}' cannot be read`, {
        cause: err,
      });
    }
  }
  return tls;
}
