import { EmbeddedServer } from '../broker/embedded-server.js';
import { ListenError } from '../broker/listen.js';
import type { EmbeddedConfig } from './connector-config.js';
import { ConnectorError } from './connector-error.js';

/**
 * Starts the in-process broker of an `EmbeddedConnector` with the listeners `config` asks for (TCP for
 * the `iggy` CLI and other services, HTTP for stats and metrics; `null` = none) as an `EmbeddedServer`,
 * the one way a broker starts with listeners. Bad settings and listeners that cannot bind fail with
 * `Config`, naming the `embedded.*` field.
 */
export async function startEmbeddedServer(config: EmbeddedConfig): Promise<EmbeddedServer> {
  checkEmbeddedConfig(config);
  try {
    return await EmbeddedServer.start({
      dataDir: config.persistent ? config.dataDir : undefined,
      persistent: config.persistent,
      fsync: config.fsync,
      rootUsername: config.rootUsername,
      rootPassword: config.rootPassword,
      host: config.host,
      tcpPort: config.tcpPort,
      httpPort: config.httpPort,
    });
  } catch (err) {
    if (err instanceof ListenError) {
      const where = `${err.host}:${err.port} ${err.reason}`;
      throw new ConnectorError('Config', `embedded.${err.listener}Port: ${where}`, { cause: err });
    }
    throw err;
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
