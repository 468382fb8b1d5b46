export { OutboxError, isOutboxError, type OutboxErrorKind } from './outbox-error.js';
export {
  DEFAULT_OUTBOX_TABLE,
  OutboxStatus,
  outboxDdl,
  outboxLockKeys,
  type OutboxDialect,
} from './outbox-ddl.js';
export {
  OUTBOX_INSERT_COLUMNS,
  envelopeToRecord,
  recordValues,
  rowToRequest,
  type OutboxTarget,
} from './outbox-record.js';
export type {
  ClaimedBatch,
  OutboxLag,
  OutboxRecord,
  OutboxStore,
  OutboxWatch,
  PendingRow,
  Settlement,
} from './outbox-store.js';
export {
  TransactionalEventBus,
  type OutboxEvent,
  type TransactionalEventBusOptions,
} from './transactional-event-bus.js';
export { OutboxRelay } from './outbox-relay.js';
export { OutboxPrometheusMetrics, type OutboxPrometheusOptions } from './outbox-prometheus.js';
export {
  RelayDefaults,
  type OutboxRelayLogger,
  type OutboxRelayMetrics,
  type OutboxRelayOptions,
  type RelayBackoff,
  type RelayCycle,
  type RelayState,
  type RelayStats,
} from './outbox-relay-options.js';
export {
  PgOutboxStore,
  type PgOutboxStoreOptions,
  type PgPoolClientLike,
  type PgPoolLike,
  type PgQueryable,
} from './stores/postgres/pg-outbox-store.js';
export {
  PostgresOutboxCore,
  type PgSession,
  type PgSessionSource,
} from './stores/postgres/postgres-outbox-core.js';
export {
  SqliteOutboxStore,
  type SqliteDatabaseLike,
  type SqliteOutboxStoreOptions,
  type SqliteStatementLike,
} from './stores/sqlite/sqlite-outbox-store.js';
export {
  TypeOrmOutboxStore,
  type TypeOrmDataSourceLike,
  type TypeOrmEntityManagerLike,
  type TypeOrmOutboxStoreOptions,
  type TypeOrmQueryRunnerLike,
  type TypeOrmTxn,
} from './stores/typeorm/typeorm-outbox-store.js';
export { IGGY_OUTBOX_OPTIONS, IGGY_OUTBOX_STORE } from './nest/outbox.constants.js';
export type { IggyOutboxOptions } from './nest/outbox-options.interface.js';
export { OUTBOX_EXPORTS, createOutboxProviders, type OutboxProviderTokens } from './nest/outbox.providers.js';
export { OutboxRelayHost } from './nest/outbox-relay.host.js';
export {
  DEFAULT_HANDLED_RETENTION_MS,
  DEFAULT_HANDLED_TABLE,
  handledTableDdl,
  handledTableName,
  type IdempotencyDialect,
} from './idempotency/idempotency-ddl.js';
export {
  PgIdempotencyStore,
  type PgIdempotencyPool,
  type PgIdempotencyStoreOptions,
} from './idempotency/pg-idempotency-store.js';
export {
  SqliteIdempotencyStore,
  type SqliteIdempotencyDatabase,
  type SqliteIdempotencyStatement,
  type SqliteIdempotencyStoreOptions,
} from './idempotency/sqlite-idempotency-store.js';
