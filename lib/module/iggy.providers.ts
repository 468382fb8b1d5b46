import { Logger, type Provider } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import type { IggyConnector } from '../connectors/iggy-connector.js';
import { IGGY_DLQ_PROVIDERS } from '../dlq/iggy-dlq.providers.js';
import { IggyDlqInterceptor } from '../dlq/dlq.interceptor.js';
import { SerializerRegistry } from '../events/serializer-registry.js';
import { IGGY_HANDLER_PROVIDERS } from '../handlers/iggy-handlers.providers.js';
import { healthIndicatorServiceProvider } from '../health/health-indicator-service.provider.js';
import { IggyHealthIndicator } from '../health/iggy.health-indicator.js';
import {
  IGGY_HEALTH_OUTBOX_RELAY,
  IGGY_HEALTH_OUTBOX_STORE,
  type OutboxLagReader,
  type OutboxRelayStatsReader,
} from '../health/outbox-health-source.js';
import { IGGY_OUTBOX_OPTIONS, IGGY_OUTBOX_STORE } from '../outbox/nest/outbox.constants.js';
import type { IggyOutboxOptions } from '../outbox/nest/outbox-options.interface.js';
import { OUTBOX_EXPORTS, createOutboxProviders } from '../outbox/nest/outbox.providers.js';
import { OutboxRelay } from '../outbox/outbox-relay.js';
import type { OutboxStore } from '../outbox/outbox-store.js';
import { IGGY_REPLAY_PROVIDERS } from '../replay/iggy-replay.providers.js';
import { TopologyManager } from '../topology/topology-manager.js';
import { IggyClientProxy } from '../transport/iggy.client-proxy.js';
import { validateIggyConfig } from './config/validate-iggy-config.js';
import { resolveIggyOptions } from './config/resolve-iggy-options.js';
import { IGGY_CLIENT, IGGY_CONNECTOR, IGGY_OPTIONS } from './iggy.constants.js';
import { IGGY_MODULE_OPTIONS } from './iggy.module-definition.js';
import { IggyConnectorHost, iggyConnectorProvider } from './iggy-connector.provider.js';
import type { IggyModuleOptions } from './interfaces/iggy-module-options.interface.js';
import type { ResolvedIggyModuleOptions } from './interfaces/resolved-iggy-options.interface.js';

/** `IGGY_OPTIONS`: the options as given, validated (one `IggyConfigError` listing every bad field), defaults filled. */
const optionsProvider: Provider = {
  provide: IGGY_OPTIONS,
  inject: [IGGY_MODULE_OPTIONS],
  useFactory: (options: IggyModuleOptions): ResolvedIggyModuleOptions =>
    resolveIggyOptions(validateIggyConfig(options ?? {})),
};

/**
 * The module's `IggyClientProxy`. Its options are also kept on the host: `IggyModule` offers them to the
 * clients made without a connector (`ClientsModule.register([{ customClass: IggyClientProxy, ... }])`).
 */
const clientProvider: Provider = {
  provide: IggyClientProxy,
  inject: [IGGY_CONNECTOR, IGGY_OPTIONS, SerializerRegistry, IggyConnectorHost],
  useFactory: (
    connector: IggyConnector,
    options: ResolvedIggyModuleOptions,
    serializers: SerializerRegistry,
    host: IggyConnectorHost,
  ) => {
    host.clientOptions = {
      connector,
      stream: options.streamName,
      topic: options.topicName,
      serialization: options.serialization,
      serializers,
      ...(options.defaultTenantId !== undefined && { defaultTenantId: options.defaultTenantId }),
      replyTopic: options.requestReply.replyTopic,
      replyPartitions: options.requestReply.partitions,
      timeoutMs: options.requestReply.timeoutMs,
    };
    return new IggyClientProxy(host.clientOptions);
  },
};

const topologyProvider: Provider = {
  provide: TopologyManager,
  inject: [IGGY_CONNECTOR, IGGY_OPTIONS],
  useFactory: (connector: IggyConnector, options: ResolvedIggyModuleOptions) =>
    new TopologyManager(connector, options.topology.input, { logger: new Logger('TopologyManager') }),
};

/**
 * `IGGY_OUTBOX_OPTIONS`: the `outbox` option with the bus's serializer (the module's `serialization`
 * unless given) and target (the module's stream and domain topic unless given) filled in; `null`
 * without an outbox, which makes every outbox provider `null`.
 */
const outboxOptionsProvider: Provider = {
  provide: IGGY_OUTBOX_OPTIONS,
  inject: [IGGY_OPTIONS, SerializerRegistry],
  useFactory: (
    options: ResolvedIggyModuleOptions,
    serializers: SerializerRegistry,
  ): IggyOutboxOptions | null =>
    options.outbox
      ? {
          ...options.outbox,
          serializer:
            options.outbox.serializer ?? serializers.byFormat(options.serialization) ?? serializers.default,
          target: options.outbox.target ?? { stream: options.streamName, topic: options.topicName },
        }
      : null,
};

/** The outbox's store and relay under the tokens `IggyHealthIndicator` reads them by (`null` without them). */
const outboxHealthProviders: Provider[] = [
  {
    provide: IGGY_HEALTH_OUTBOX_STORE,
    inject: [IGGY_OUTBOX_STORE],
    useFactory: (store: OutboxStore<never> | null): OutboxLagReader | null => store,
  },
  {
    provide: IGGY_HEALTH_OUTBOX_RELAY,
    inject: [OutboxRelay],
    useFactory: (relay: OutboxRelay | null): OutboxRelayStatsReader | null => relay,
  },
];

/** Everything the module provides (the options token comes from `forRoot`/`forRootAsync`). */
export const IGGY_PROVIDERS: Provider[] = [
  optionsProvider,
  IggyConnectorHost,
  iggyConnectorProvider,
  { provide: SerializerRegistry, useFactory: () => new SerializerRegistry() },
  clientProvider,
  { provide: IGGY_CLIENT, useExisting: IggyClientProxy },
  topologyProvider,
  ...IGGY_HANDLER_PROVIDERS,
  ...IGGY_DLQ_PROVIDERS,
  { provide: APP_INTERCEPTOR, useExisting: IggyDlqInterceptor },
  ...IGGY_REPLAY_PROVIDERS,
  outboxOptionsProvider,
  // The bus, the relay, the store and the host starting the relay after bootstrap and stopping it in
  // onModuleDestroy, i.e. before IggyModule.onApplicationShutdown shuts the connector down.
  ...createOutboxProviders({ connector: IGGY_CONNECTOR }),
  healthIndicatorServiceProvider,
  ...outboxHealthProviders,
  IggyHealthIndicator,
];

/** What importers of the module can inject. */
export const IGGY_EXPORTS = [
  IGGY_OPTIONS,
  IGGY_CONNECTOR,
  IGGY_CLIENT,
  IggyClientProxy,
  SerializerRegistry,
  TopologyManager,
  IggyHealthIndicator,
  IGGY_HEALTH_OUTBOX_STORE,
  IGGY_HEALTH_OUTBOX_RELAY,
  ...IGGY_HANDLER_PROVIDERS,
  ...IGGY_DLQ_PROVIDERS,
  ...IGGY_REPLAY_PROVIDERS,
  IGGY_OUTBOX_OPTIONS,
  ...OUTBOX_EXPORTS,
];
