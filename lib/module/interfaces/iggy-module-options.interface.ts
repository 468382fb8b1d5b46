import type { InjectionToken, Type } from '@nestjs/common';
import type { ConnectorConfigInput } from '../../connectors/connector-config.js';
import type { IggyConnector } from '../../connectors/iggy-connector.js';
import type { SerializationFormat } from '../../events/serializer.js';
import type { DlqOptions, HandlerOptions, HandlerPollOptions } from '../../handlers/handler-settings.js';
import type { IggyMetricsOptions } from '../../observability/iggy-metrics.js';
import type { IggyOutboxOptions } from '../../outbox/nest/outbox-options.interface.js';
import type { TopicPolicy, TopicRole } from '../../topology/topology-config.js';
import type { RetryOptions } from '../../consumer/retry-options.js';

export type { DlqOptions, HandlerOptions, RetryOptions };

/** Request/response (`send`) over Iggy. */
export interface RequestReplyOptions {
  /** Topic replies are published to (default `replies`). */
  replyTopic: string;
  /** How long `send` waits for a reply (default 5 s). */
  timeoutMs: number;
  /**
   * Partitions of the reply topic (default 16). Each client instance reads only the partition its
   * instance id hashes to, and keeps only the replies whose request id it is waiting for.
   */
  partitions: number;
}

/** Retention in the seeds' units (the `retention` block of `events.iggy`); `0` = keep forever / no size cap. */
export interface RetentionOptions {
  /** Default 30. */
  domainMaxAgeDays: number;
  /** Default 10. */
  domainMaxSizeGb: number;
  /** Default 7. */
  systemMaxAgeDays: number;
  /** Default 365. */
  dlqMaxAgeDays: number;
}

/** The stream and topics the module makes sure exist at start-up (`TopologyManager`). */
export interface TopologyOptions {
  /** Create the stream and the `domain`, `system` and `dlq` topics when missing (default true). */
  ensure: boolean;
  /** Replication factor of every topic (default 1). */
  replicationFactor?: number;
  /** Name of the system topic (default `system`); the DLQ topic's name is `dlq.topic`. */
  systemTopic?: string;
  retention?: Partial<RetentionOptions>;
  /** Full control per topic (µs and bytes as bigints); wins over `retention`. */
  topics?: Partial<Record<TopicRole, Partial<TopicPolicy>>>;
}

/**
 * How the module gets its connector: by `mode` (default: `EmbeddedConnector` or `RemoteConnector`), or a
 * user's own. The module connects it on start-up unless it is already connected, and shuts down what it
 * connected on application shutdown.
 */
export type ConnectorProvider =
  | { useClass: Type<IggyConnector> }
  | { useValue: IggyConnector }
  | {
      useFactory: (...args: never[]) => IggyConnector | Promise<IggyConnector>;
      /** Tokens resolved from the module's scope (its `imports`, global modules) and passed in order. */
      inject?: InjectionToken[];
    };

/**
 * What `IggyModule.forRoot` takes: the connector config plus the Nest layer's own settings (the module
 * ensures its topology with `topology`, so the connector's `ensureTopology` is not an option here).
 */
export interface IggyModuleOptions extends Omit<ConnectorConfigInput, 'ensureTopology'> {
  /** Payload format of published events (default `json`); consumers read whatever `content_type` says. */
  serialization?: SerializationFormat;
  retry?: Partial<RetryOptions>;
  dlq?: Partial<DlqOptions>;
  handlers?: Partial<HandlerOptions> & HandlerPollOptions;
  requestReply?: Partial<RequestReplyOptions>;
  topology?: Partial<TopologyOptions>;
  /**
   * The tenant `IggyClientProxy` uses when the data carries none. Unset (default): a missing tenant is
   * an error (`IggyMissingTenantError`).
   */
  defaultTenantId?: string;
  /**
   * Register the module globally (default true): every module of the app can inject its providers
   * (`IggyClientProxy`, `DlqManager`, ...) without importing it. `false`: only the modules that import it.
   */
  isGlobal?: boolean;
  connector?: ConnectorProvider;
  /**
   * The transactional outbox (`TransactionalEventBus`, `OutboxRelay`): where its rows live (`store`)
   * and how the relay runs. The bus serializes with `serialization` and targets the module's stream
   * and domain topic unless `serializer` / `target` say otherwise. Left out: no outbox (the outbox
   * providers are `null`).
   */
  outbox?: IggyOutboxOptions;
  /**
   * Prometheus metrics of the producers, the consumer groups and request/reply (`true` or options;
   * default off): inject `IggyMetrics` and serve `metrics.metrics()`, which holds the outbox relay's and
   * the embedded broker's metrics too.
   */
  metrics?: boolean | IggyMetricsOptions;
  /**
   * OpenTelemetry traces through Iggy when `@opentelemetry/api` is installed and a tracer provider is
   * registered by the time the module starts (default true; `false` never loads it).
   */
  tracing?: boolean;
}
