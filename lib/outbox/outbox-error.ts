/** What went wrong in the outbox. */
export type OutboxErrorKind =
  /** The event's payload cannot be serialized: nothing was written. */
  | 'Serialize'
  /** The event breaks the envelope rules (tenant, type, headers...): nothing was written. */
  | 'InvalidEvent'
  /** The transaction handle is not inside a transaction (where the store can tell). */
  | 'NotInTransaction'
  /** A row read back from the table cannot become a message (it is moved aside). */
  | 'CorruptRow'
  /** The database said no (insert, claim, settle, schema). */
  | 'Store'
  /**
   * SQLite: another relay took the outbox lease while this one had a batch out; the batch is abandoned
   * (nothing recorded) and the relay stands by.
   */
  | 'LeaseLost'
  /** Bad options: a table name, a missing capability. */
  | 'Config';

/** An outbox failure; `cause` holds the underlying error (a `SerializationError`, a driver error...). */
export class OutboxError extends Error {
  override readonly name = 'OutboxError';

  constructor(
    readonly kind: OutboxErrorKind,
    message: string,
    options: { cause?: unknown; eventId?: string } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.eventId = options.eventId;
  }

  /** The envelope id concerned, when there is one. */
  readonly eventId: string | undefined;
}

export function isOutboxError(err: unknown, kind?: OutboxErrorKind): err is OutboxError {
  return err instanceof OutboxError && (kind === undefined || err.kind === kind);
}
