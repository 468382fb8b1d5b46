import { EmbeddedServer } from '../broker/embedded-server.js';
import { ListenError } from '../broker/listen.js';
import { InsecureListenerError } from '../broker/network-exposure.js';
import type { EmbeddedConfig } from './connector-config.js';
import { ConnectorError } from './connector-error.js';

/**
 * Starts the in-process broker of an `EmbeddedConnector` with the listeners `config` asks for (TCP for
 * the `iggy` CLI and other services, HTTP for stats and metrics; `null` = none) as an `EmbeddedServer`,
 * the one way a broker starts with listeners. Bad settings, listeners that cannot bind and listeners off
 * loopback while root has the default password fail with `Config`, naming the `embedded.*` field.
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
      allowDefaultRootPassword: config.allowDefaultRootPassword,
      host: config.host,
      httpHost: config.httpHost,
      tcpPort: config.tcpPort,
      httpPort: config.httpPort,
    });
  } catch (err) {
    if (err instanceof ListenError) {
      const where = `${err.host}:${err.port} ${err.reason}`;
      throw new ConnectorError('Config', `embedded.${err.listener}Port: ${where}`, { cause: err });
    }
    if (err instanceof InsecureListenerError) {
      const field = err.listener === 'tcp' ? 'host' : 'httpHost';
      throw new ConnectorError('Config', `embedded.${field}: ${err.message}`, { cause: err });
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
  for (const key of ['rootUsername', 'rootPassword'] as const) {
    if (config[key] === '') throw new ConnectorError('Config', `embedded.${key} must not be empty`);
  }
}
