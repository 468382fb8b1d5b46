/**
 * One outbox row as the bus writes it: the envelope's fields, its payload already serialized, and where
 * the relay will publish it. Column names are the snake_case of these fields (see `outboxDdl`).
 */
export interface OutboxRecord {
  /** The envelope id (a UUID, lower case): the Iggy message id. */
  id: string;
  tenant: string;
  actor: string | null;
  type: string;
  version: number;
  /** ISO-8601, exactly as in the envelope. */
  occurredAt: string;
  correlationId: string | null;
  causationId: string | null;
  /** The envelope's own headers as a JSON object of strings. */
  headers: string;
  /** Media type of `payload`; picks the serializer that reads it. */
  contentType: string;
  payload: Buffer;
  /** `null` = the connector's default stream / topic. */
  stream: string | null;
  topic: string | null;
  /** The tenant id, for domain events. */
  partitionKey: string;
}

/**
 * A pending row as a store hands it to the relay. Fields may be anything the table holds: the relay
 * checks each one and moves a row it cannot publish aside (`dead`), so a store passes values through.
 */
export interface PendingRow extends Omit<OutboxRecord, 'payload' | 'version'> {
  payload: Buffer | Uint8Array | ArrayBuffer;
  version: number | string;
  /** Insertion order (a sequence); opaque to the relay. */
  seq: number | string | bigint;
  attempts: number;
  createdAt: Date;
}

/** How a claimed batch ended; ids are envelope ids of the batch. */
export interface Settlement {
  /** Published: mark them so (`published_at` = now). */
  published: string[];
  /** Publishing failed: they stay pending; `attempts` + 1 and `last_error` recorded. */
  failed?: { ids: string[]; error: string };
  /** Cannot be published (corrupt): moved aside with their error, never claimed again. */
  dead: { id: string; error: string }[];
}

/**
 * Rows claimed by one relay. While a batch is open no other relay gets rows of the same outbox, so the
 * relay publishes them in order and then calls exactly one of `settle` or `abandon`.
 */
export interface ClaimedBatch {
  /** Pending rows, oldest first (insertion order). */
  readonly rows: PendingRow[];
  /** Records the outcome (atomically where the database can) and releases the claim. */
  settle(outcome: Settlement): Promise<void>;
  /** Releases the claim recording nothing: the rows stay pending as they were. */
  abandon(): Promise<void>;
}

/** The relay's backlog. */
export interface OutboxLag {
  /** Rows waiting to be published. */
  pending: number;
  /** Age of the oldest pending row in ms; `null` when none is pending. */
  oldestPendingAgeMs: number | null;
  /** Rows moved aside as unpublishable. */
  dead: number;
}

/**
 * A store watching for inserts. Notifying every commit can be costly (PostgreSQL serializes the commits
 * of notifying transactions), so a store may notify only while the relay sleeps: the relay calls
 * `idle()` before it sleeps and `busy()` once it works again.
 */
export interface OutboxWatch {
  /**
   * The relay wants to sleep. `acquired`: writers notify from now on (claim once more, then sleep);
   * `held`: they already do; `busy`: a write is in flight, claim again soon instead of sleeping.
   * Without it the relay sleeps at once (every insert notifies).
   */
  idle?(): Promise<'acquired' | 'held' | 'busy'>;
  /** The relay works again: writers may stop notifying. */
  busy?(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Where outbox rows live. `Txn` is the caller's own transaction handle (a pg `PoolClient` inside
 * `BEGIN`, a TypeORM `EntityManager`, a SQLite connection...). Implement this (insert, claim, purge,
 * lag) to put the outbox on another library: Prisma, MikroORM, Drizzle, Knex.
 */
export interface OutboxStore<Txn = unknown> {
  /** `postgres`, `sqlite`, or your own name: for logs and `outboxDdl`. */
  readonly dialect: string;
  /** Creates the table and its indexes when missing. */
  ensureSchema(): Promise<void>;
  /** Writes one row through the caller's transaction handle, never through a connection of its own. */
  insert(txn: Txn, record: OutboxRecord): Promise<void>;
  /** The same, synchronously, for synchronous drivers (SQLite): usable inside `db.transaction(fn)`. */
  insertSync?(txn: Txn, record: OutboxRecord): void;
  /**
   * Claims up to `limit` pending rows oldest first, exclusively: `null` when another relay holds the
   * outbox right now (this one stands by). An empty batch must still be settled or abandoned.
   */
  claim(limit: number): Promise<ClaimedBatch | null>;
  /** Deletes up to `limit` rows published before `before`; returns how many. */
  purge(before: Date, limit: number): Promise<number>;
  lag(): Promise<OutboxLag>;
  /**
   * Calls `onChange` when rows may have been committed (PostgreSQL `LISTEN`). Stores that cannot watch
   * leave it out and the relay polls.
   */
  watch?(onChange: () => void): Promise<OutboxWatch>;
  /** Releases what the store opened itself (never the caller's pool or connection). */
  close?(): Promise<void>;
}
