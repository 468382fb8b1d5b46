/*
 * `nestjs-iggy`: the public API of the Nest layer, and the connector-layer names a Nest app uses. Each
 * name here is public on purpose (what an app writes, injects, configures, implements or catches); every
 * other name in lib/ is internal and may change in any release. The list is checked by
 * test/unit/architecture/public-api.test.ts: a change to it is a change to the API, reviewed as one.
 * The connector layer alone is `nestjs-iggy/connector`, the embedded broker `nestjs-iggy/broker`.
 */

// The module and its configuration.
export { IggyModule } from './module/iggy.module.js';
export { IGGY_CLIENT, IGGY_CONNECTOR } from './module/iggy.constants.js';
export { IGGY_MODULE_OPTIONS, type IggyOptionsFactory } from './module/iggy.module-definition.js';
export type {
  ConnectorProvider,
  DlqOptions,
  HandlerOptions,
  IggyModuleOptions,
  RequestReplyOptions,
  RetentionOptions,
  RetryOptions,
  TopologyOptions,
} from './module/interfaces/iggy-module-options.interface.js';
export {
  IggyConfig,
  IggyDlqConfig,
  IggyEmbeddedConfig,
  IggyHandlersConfig,
  IggyRemoteConfig,
  IggyRequestReplyConfig,
  IggyRetentionConfig,
  IggyRetryConfig,
  IggyTopologyConfig,
} from './module/config/iggy-config.schema.js';
export { IggyConfigError } from './module/config/iggy-config.error.js';
export { validateIggyConfig } from './module/config/validate-iggy-config.js';
export { IGGY_ENV_VARS, iggyConfigFromEnv } from './module/config/iggy-config.env.js';
export {
  iggyConfigFromYaml,
  iggyConfigFromYamlText,
  type IggyYamlOptions,
} from './module/config/iggy-config.yaml.js';
export {
  IGGY_CONFIG_KEY,
  iggyConfigLoader,
  type IggyConfigLoaderOptions,
} from './module/config/iggy-config.loader.js';

// Handlers, the server and the client proxy.
export { IggyEventHandler, type IggyEventHandlerOptions } from './handlers/iggy-event-handler.decorator.js';
export { ConsumerGroupManager, type GroupLag } from './handlers/consumer-group.manager.js';
export {
  IggyContext,
  IggyEventContext,
  type IggyDelivery,
  type IggyRequestInfo,
} from './consumer/iggy.context.js';
export type { GroupStatus } from './consumer/consumer-runtime.js';
export type { DispatchCounts } from './consumer/dispatcher.js';
export type { LaneStatus } from './consumer/partition-lanes.js';
export type { StalledPartition } from './consumer/partition-stalls.js';
export type { IdempotencyStore } from './consumer/idempotency/idempotency-store.js';
export { IdempotencyStoreError } from './consumer/idempotency/idempotency-store-error.js';
export { MemoryIdempotencyStore } from './consumer/idempotency/memory-idempotency-store.js';
export { IggyServer } from './transport/iggy.server.js';
export type { IggyServerOptions } from './transport/interfaces/iggy-server-options.interface.js';
export type { IggyServerEvents } from './transport/interfaces/iggy-server-events.interface.js';
export { IggyClientProxy, type IggyClientProxyEvents } from './transport/iggy.client-proxy.js';
export type { IggyClientProxyOptions } from './transport/interfaces/iggy-client-proxy-options.interface.js';
export { IggyRecord, type IggyRecordOptions } from './transport/iggy-record.js';
export { IGGY_TRANSPORT, type IggyStatus } from './transport/iggy-transport.constants.js';
export {
  IggyMissingTenantError,
  IggyRequestTimeoutError,
  IggyTransportError,
} from './transport/transport-errors.js';

// Retries, dead letters, replay, health, the dashboard.
export { NonRetryableError, isNonRetryable } from './dlq/non-retryable.error.js';
export {
  DEAD_LETTER_RESOLVED_TYPE,
  DEAD_LETTER_TYPE,
  DlqHeader,
  type DeadLetter,
  type DeadLetterPayload,
  type DeadLetterResolution,
} from './dlq/dead-letter.js';
export type { DeadLetterFilter } from './dlq/dead-letter-filter.js';
export type { JsonHeader, JsonHeaderField } from './dlq/header-json.js';
export { DeadLetterRedriveError } from './dlq/dead-letter-redrive.error.js';
export { DeadLetterWriteError } from './dlq/dead-letter.writer.js';
export { DlqManager, type DeadLetterQuery, type RedriveResult } from './dlq/dlq.manager.js';
export { ReplayManager } from './replay/replay.manager.js';
export {
  ReplayError,
  type ReplayFailure,
  type ReplayHandler,
  type ReplayOptions,
  type ReplayProgress,
  type ReplayResult,
} from './replay/replay-options.js';
export {
  IggyHealthIndicator,
  type GroupLagDetail,
  type IggyHealthOptions,
  type IggyHealthResult,
  type LagTarget,
  type OutboxLagDetail,
} from './health/iggy.health-indicator.js';
export { IggyDashboardModule } from './dashboard/nest/iggy-dashboard.module.js';
export type { IggyDashboardOptions } from './dashboard/nest/iggy-dashboard-options.interface.js';
export type { DashboardSnapshot } from './dashboard/dashboard-snapshot.js';

// The transactional outbox: the bus, the relay, the stores, and what your own store needs.
export { TransactionalEventBus, type OutboxEvent } from './outbox/transactional-event-bus.js';
export { OutboxRelay } from './outbox/outbox-relay.js';
export type {
  OutboxRelayLogger,
  OutboxRelayMetrics,
  OutboxRelayOptions,
  RelayBackoff,
  RelayCycle,
  RelayState,
  RelayStats,
} from './outbox/outbox-relay-options.js';
export { OutboxPrometheusMetrics, type OutboxPrometheusOptions } from './outbox/outbox-prometheus.js';
export { OutboxError, isOutboxError, type OutboxErrorKind } from './outbox/outbox-error.js';
export { DEFAULT_OUTBOX_TABLE, OutboxStatus, outboxDdl, type OutboxDialect } from './outbox/outbox-ddl.js';
export { OUTBOX_INSERT_COLUMNS, recordValues, type OutboxTarget } from './outbox/outbox-record.js';
export type {
  ClaimedBatch,
  OutboxLag,
  OutboxRecord,
  OutboxStore,
  OutboxWatch,
  PendingRow,
  Settlement,
} from './outbox/outbox-store.js';
export {
  PgOutboxStore,
  type PgOutboxStoreOptions,
  type PgPoolClientLike,
  type PgPoolLike,
  type PgQueryable,
} from './outbox/stores/postgres/pg-outbox-store.js';
export {
  PostgresOutboxCore,
  type PgSession,
  type PgSessionSource,
} from './outbox/stores/postgres/postgres-outbox-core.js';
export {
  SqliteOutboxStore,
  type SqliteDatabaseLike,
  type SqliteOutboxStoreOptions,
  type SqliteStatementLike,
} from './outbox/stores/sqlite/sqlite-outbox-store.js';
export {
  TypeOrmOutboxStore,
  type TypeOrmDataSourceLike,
  type TypeOrmEntityManagerLike,
  type TypeOrmOutboxStoreOptions,
  type TypeOrmQueryRunnerLike,
  type TypeOrmTxn,
} from './outbox/stores/typeorm/typeorm-outbox-store.js';
export { IGGY_OUTBOX_OPTIONS, IGGY_OUTBOX_STORE } from './outbox/nest/outbox.constants.js';
export type { IggyOutboxOptions } from './outbox/nest/outbox-options.interface.js';
export { createOutboxProviders } from './outbox/nest/outbox.providers.js';
export {
  DEFAULT_HANDLED_TABLE,
  handledTableDdl,
  type IdempotencyDialect,
} from './outbox/idempotency/idempotency-ddl.js';
export {
  PgIdempotencyStore,
  type PgIdempotencyPool,
  type PgIdempotencyStoreOptions,
} from './outbox/idempotency/pg-idempotency-store.js';
export {
  SqliteIdempotencyStore,
  type SqliteIdempotencyDatabase,
  type SqliteIdempotencyStatement,
  type SqliteIdempotencyStoreOptions,
} from './outbox/idempotency/sqlite-idempotency-store.js';

// The connector layer, as far as a Nest app meets it (the whole of it: `nestjs-iggy/connector`).
export {
  ConnectorError,
  DEFAULT_STREAM_NAME,
  DEFAULT_TOPIC_NAME,
  EmbeddedConnector,
  PublishRequest,
  RemoteConnector,
  isConnectorError,
  resolveConnectorConfig,
  type ConnectorConfig,
  type ConnectorConfigInput,
  type ConnectorErrorKind,
  type ConnectorMode,
  type EmbeddedConfig,
  type GroupAssignment,
  type IggyConnector,
  type MessageSubscriber,
  type OffsetOwner,
  type PartitionLag,
  type ReceivedMessage,
  type RemoteConfig,
  type StartFrom,
  type SubscribeOptions,
  type TopicInfo,
  type TopicSpec,
} from './connectors/index.js';
export {
  EnvelopeHeader,
  EnvelopeValidationError,
  JsonSerializer,
  MsgpackSerializer,
  SerializationError,
  SerializerRegistry,
  createEnvelope,
  envelopeToMessage,
  messageToEnvelope,
  partitionForTenant,
  readEventMeta,
  type CreateEnvelopeInput,
  type EventEnvelope,
  type EventMeta,
  type SerializationFormat,
  type Serializer,
} from './events/index.js';
export {
  TopologyManager,
  resolveTopologyConfig,
  type TopicRole,
  type TopologyConfig,
  type TopologyConfigInput,
  type TopologyReport,
} from './topology/index.js';

// Metrics (`metrics: true`): the app serves `IggyMetrics.metrics()` on its own /metrics.
export { IggyMetrics, type IggyMetricsOptions } from './observability/iggy-metrics.js';
