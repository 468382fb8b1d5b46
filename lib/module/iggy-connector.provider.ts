import { Inject, Injectable, Logger, type FactoryProvider, type InjectionToken } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { resolveConnectorConfig } from '../connectors/connector-config.js';
import type { IggyConnector } from '../connectors/iggy-connector.js';
import { TopologyManager } from '../topology/topology-manager.js';
import { connectorForMode, isConnector } from '../transport/connector-factory.js';
import { IGGY_CONNECTOR, IGGY_OPTIONS } from './iggy.constants.js';
import type { ConnectorProvider } from './interfaces/iggy-module-options.interface.js';
import type { ResolvedIggyModuleOptions } from './interfaces/resolved-iggy-options.interface.js';

/** Whether the module connected the connector (then it also shuts it down). */
@Injectable()
export class IggyConnectorHost {
  connector: IggyConnector | undefined;
  connectedByModule = false;
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
    const { mode, streamName, topicName } = connector.config ?? options;
    logger.log(`connected (${mode}), stream '${streamName}', domain topic '${topicName}'`);
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
