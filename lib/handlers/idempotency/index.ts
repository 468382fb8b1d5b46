export type { IdempotencyStore } from './idempotency-store.js';
export { IdempotencyStoreError } from './idempotency-store-error.js';
export { IdempotencyGuard } from './idempotency-guard.js';
export { MemoryIdempotencyStore } from './memory-idempotency-store.js';
export {
  DEFAULT_HANDLED_RETENTION_MS,
  DEFAULT_HANDLED_TABLE,
  handledTableDdl,
  handledTableName,
  type IdempotencyDialect,
} from './idempotency-ddl.js';
export { PgIdempotencyStore, type PgIdempotencyStoreOptions } from './pg-idempotency-store.js';
export { SqliteIdempotencyStore, type SqliteIdempotencyStoreOptions } from './sqlite-idempotency-store.js';
