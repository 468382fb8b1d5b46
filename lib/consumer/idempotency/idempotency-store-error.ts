/** A durable idempotency store was misconfigured, or its database failed. */
export class IdempotencyStoreError extends Error {
  override readonly name = 'IdempotencyStoreError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
