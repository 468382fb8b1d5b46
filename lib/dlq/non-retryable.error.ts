/**
 * Throw it (or subclass it) from a handler when retrying cannot help (a validation failure, a
 * business rule): the DLQ interceptor skips the remaining attempts and dead-letters the message at once.
 * Any error with a truthy `nonRetryable` property is treated the same way.
 */
export class NonRetryableError extends Error {
  override name = 'NonRetryableError';
  readonly nonRetryable = true;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Whether retrying `error` is pointless: a `NonRetryableError`, or anything flagged `nonRetryable: true`. */
export function isNonRetryable(error: unknown): boolean {
  if (error instanceof NonRetryableError) return true;
  return (
    typeof error === 'object' && error !== null && (error as { nonRetryable?: unknown }).nonRetryable === true
  );
}
