import { Inject, Injectable, Logger, type FactoryProvider, type InjectionToken } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { DEFAULT_STREAM_NAME, resolveConnectorConfig } from '../connectors/connector-config.js';
import { EmbeddedConnector } from '../connectors/embedded-connector.js';
import type { IggyConnector } from '../connectors/iggy-connector.js';
import { TopologyManager } from '../topology/topology-manager.js';
import { connectorForMode, isConnector } from '../transport/connector-factory.js';
import type { SharedClientOptions } from '../transport/shared-client-options.js';
import { IGGY_CONNECTOR, IGGY_OPTIONS } from './iggy.constants.js';
import type { ConnectorProvider } from './interfaces/iggy-module-options.interface.js';
import type { ResolvedIggyModuleOptions } from './interfaces/resolved-iggy-options.interface.js';

/** Whether the module connected the connector (then it also shuts it down), and its client's options. */
@Injectable()
export class IggyConnectorHost {
  connector: IggyConnector | undefined;
  connectedByModule = false;
  clientOptions: SharedClientOptions | undefined;
}

const logger = new Logger('IggyModule');

/**
 * `IGGY_CONNECTOR`: the connector for `mode` or the user's own (`connector: { useClass | useValue |
 * useFactory }`), connected (unless it already was) and with the topology ensured before anything that
 * injects it is built.
 */
export const iggyConnectorProvider: FactoryProvider<Promise<IggyConnector>> = {
  provide: IGGY_CONNECTOR,
  inject: [IGGY_OPTIONS, ModuleRef, IggyConnectorHost],
  useFactory: async (options: ResolvedIggyModuleOptions, moduleRef: ModuleRef, host: IggyConnectorHost) => {
    const connector = options.connector
      ? await userConnector(options.connector, moduleRef)
      : connectorForMode(options);
    host.connector = connector;
    if (!connector.isConnected()) {
      // The TopologyManager below makes the topics, with their retention: not the connector's bare ensure.
      await connector.connect({ ...resolveConnectorConfig(options), ensureTopology: false });
      host.connectedByModule = true;
    }
    try {
      if (options.topology.ensure) {
        await new TopologyManager(connector, options.topology.input, { logger }).ensure();
      }
    } catch (err) {
      if (host.connectedByModule) await connector.shutdown().catch(() => undefined);
      throw err;
    }
    logger.log(startupLine(connector, options));
    return connector;
  },
};

/** The user's connector, built in the module's scope so its dependencies resolve as usual. */
async function userConnector(provider: ConnectorProvider, moduleRef: ModuleRef): Promise<IggyConnector> {
  let connector: unknown;
  if ('useValue' in provider) connector = provider.useValue;
  else if ('useClass' in provider) connector = await moduleRef.create(provider.useClass);
  else {
    const args = await resolveTokens(provider.inject ?? [], moduleRef);
    connector = await provider.useFactory(...(args as never[]));
  }
  if (!isConnector(connector)) {
    throw new TypeError(
      'IggyModule: options.connector did not produce an IggyConnector (connect/publish/subscribeGroup missing)',
    );
  }
  return connector;
}

/** The instances of `tokens`, resolved in the module's scope (built when not yet built). */
async function resolveTokens(tokens: InjectionToken[], moduleRef: ModuleRef): Promise<unknown[]> {
  if (tokens.length === 0) return [];
  class Dependencies {
    readonly values: unknown[];
    constructor(...values: unknown[]) {
      this.values = values;
    }
  }
  tokens.forEach((token, index) => Inject(token)(Dependencies, undefined, index));
  return (await moduleRef.create(Dependencies)).values;
}

/**
 * The module's one start-up line: mode, where the data lives or which servers, the listeners, the stream
 * (`embedded: data ./data/iggy, TCP 127.0.0.1:8090, HTTP off; stream 'shop', domain topic 'domain'`).
 */
export function startupLine(connector: IggyConnector, options: ResolvedIggyModuleOptions): string {
  const config = connector.config ?? options;
  const where = (port: number | null): string => (port === null ? 'off' : `${config.embedded.host}:${port}`);
  let place: string;
  if (connector instanceof EmbeddedConnector) {
    const data = config.embedded.persistent ? `data ${config.embedded.dataDir}` : 'in memory';
    place = `embedded: ${data}, TCP ${where(connector.tcpPort)}, HTTP ${where(connector.httpPort)}`;
  } else if (config.mode === 'remote' && !options.connector) {
    place = `remote: ${config.remote.addresses.join(', ')}${config.remote.tlsEnabled ? ' (TLS)' : ''}`;
  } else {
    place = `${config.mode}: ${connector.constructor.name}`;
  }
  const stream =
    config.streamName === DEFAULT_STREAM_NAME
      ? `stream '${config.streamName}' (the default: set streamName or IGGY_STREAM)`
      : `stream '${config.streamName}'`;
  return `${place}; ${stream}, domain topic '${config.topicName}'`;
}
