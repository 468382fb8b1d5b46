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
import { ConnectorBase } from '../connectors/connector-base.js';
import { EmbeddedConnector } from '../connectors/embedded-connector.js';
import { IggyMetrics } from '../observability/iggy-metrics.js';
import { IggyTelemetry } from '../observability/iggy-telemetry.js';
import { IGGY_TELEMETRY } from '../observability/observability.constants.js';
import { OutboxPrometheusMetrics } from '../outbox/outbox-prometheus.js';
import { OutboxRelay } from '../outbox/outbox-relay.js';
import type { OutboxStore } from '../outbox/outbox-store.js';
import { IGGY_REPLAY_PROVIDERS } from '../replay/iggy-replay.providers.js';
import { TopologyManager } from '../topology/topology-manager.js';
import { IggyClientProxy } from '../transport/iggy.client-proxy.js';
import { IggyConfigError } from './config/iggy-config.error.js';
import { validateIggyConfig } from './config/validate-iggy-config.js';
import { resolveIggyOptions } from './config/resolve-iggy-options.js';
import { IGGY_CLIENT, IGGY_CONNECTOR, IGGY_OPTIONS } from './iggy.constants.js';
import { IGGY_MODULE_OPTIONS } from './iggy.module-definition.js';
import { IggyConnectorHost, iggyConnectorProvider } from './iggy-connector.provider.js';
import type { IggyModuleOptions } from './interfaces/iggy-module-options.interface.js';
import type { ResolvedIggyModuleOptions } from './interfaces/resolved-iggy-options.interface.js';

/**
 * `IGGY_OPTIONS`: the options as given, validated (one `IggyConfigError` listing every bad field), defaults
 * filled. None at all is an error, not the defaults: `forRootAsync`'s factory returned nothing (a config
 * key missing?), or it failed and Nest went on building what depends on it.
 */
const optionsProvider: Provider = {
  provide: IGGY_OPTIONS,
  inject: [IGGY_MODULE_OPTIONS],
  useFactory: (options: IggyModuleOptions | undefined | null): ResolvedIggyModuleOptions => {
    if (options === undefined || options === null) throw missingOptions(options);
    return resolveIggyOptions(validateIggyConfig(options));
  },
};

function missingOptions(options: undefined | null): IggyConfigError {
  return new IggyConfigError([
    `IggyModule got ${String(options)} for its options: the forRootAsync factory returned nothing, or failed`,
  ]);
}

/**
 * The module's `IggyClientProxy`. Its options are also kept on the host: `IggyModule` offers them to the
 * clients made without a connector (`ClientsModule.register([{ customClass: IggyClientProxy, ... }])`).
 */
const clientProvider: Provider = {
  provide: IggyClientProxy,
  inject: [IGGY_CONNECTOR, IGGY_OPTIONS, SerializerRegistry, IggyConnectorHost, IGGY_TELEMETRY],
  useFactory: (
    connector: IggyConnector,
    options: ResolvedIggyModuleOptions,
    serializers: SerializerRegistry,
    host: IggyConnectorHost,
    telemetry: IggyTelemetry | null,
  ) => {
    host.clientOptions = {
      ...(telemetry && { telemetry: telemetry.producer }),
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
  inject: [IGGY_OPTIONS, SerializerRegistry, IggyMetrics],
  useFactory: (
    options: ResolvedIggyModuleOptions,
    serializers: SerializerRegistry,
    metrics: IggyMetrics | null,
  ): IggyOutboxOptions | null =>
    options.outbox
      ? {
          ...options.outbox,
          ...(metrics && { relay: withOutboxMetrics(options.outbox, metrics) }),
          serializer:
            options.outbox.serializer ?? serializers.byFormat(options.serialization) ?? serializers.default,
          target: options.outbox.target ?? { stream: options.streamName, topic: options.topicName },
        }
      : null,
};

/**
 * The relay's options with the outbox's Prometheus metrics in the module's registry, unless the relay is
 * off or has metrics of its own.
 */
function withOutboxMetrics(outbox: IggyOutboxOptions, metrics: IggyMetrics): IggyOutboxOptions['relay'] {
  const relay = outbox.relay;
  if (relay === false || relay?.metrics) return relay;
  const store = outbox.store;
  return {
    ...relay,
    metrics: new OutboxPrometheusMetrics({ registry: metrics.registry, lagSource: store }),
  };
}

/**
 * `IggyMetrics` (`null` when the `metrics` option is off), which also renders the embedded broker's
 * metrics when it has an HTTP listener.
 */
const metricsProvider: Provider = {
  provide: IggyMetrics,
  inject: [IGGY_OPTIONS, IGGY_CONNECTOR],
  useFactory: (options: ResolvedIggyModuleOptions, connector: IggyConnector): IggyMetrics | null => {
    if (!options.metrics) return null;
    const metrics = new IggyMetrics(options.metrics);
    const broker = connector instanceof EmbeddedConnector ? connector.metricsRegistry : undefined;
    if (broker) metrics.include(broker);
    if (connector instanceof ConnectorBase) connector.observePublishBatches(metrics.batchSent);
    return metrics;
  },
};

/** `IGGY_TELEMETRY`: the metrics and, when `@opentelemetry/api` is there, tracing; `null` without either. */
const telemetryProvider: Provider = {
  provide: IGGY_TELEMETRY,
  inject: [IGGY_OPTIONS, IggyMetrics],
  useFactory: async (
    options: ResolvedIggyModuleOptions,
    metrics: IggyMetrics | null,
  ): Promise<IggyTelemetry | null> =>
    (await IggyTelemetry.create(metrics ?? undefined, options.tracing)) ?? null,
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
  metricsProvider,
  telemetryProvider,
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
  ...createOutboxProviders({ connector: IGGY_CONNECTOR, telemetry: IGGY_TELEMETRY }),
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
  IggyMetrics,
  IGGY_TELEMETRY,
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
