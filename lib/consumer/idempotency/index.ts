export type { IdempotencyStore } from './idempotency-store.js';
export { IdempotencyStoreError } from './idempotency-store-error.js';
export { IdempotencyGuard } from './idempotency-guard.js';
export { MemoryIdempotencyStore } from './memory-idempotency-store.js';
