import type { ClaimedBatch, OutboxLag, OutboxRecord, OutboxStore, OutboxWatch } from '../../outbox-store.js';
import { PostgresOutboxCore, type PgSession, type PgSessionSource } from './postgres-outbox-core.js';
import { recordValues } from '../../outbox-record.js';

/** What the store needs of a node-postgres `PoolClient` / `Client` (the caller's transaction). */
export interface PgQueryable {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- EventEmitter's own listener type
type Listener = (...args: any[]) => void;

/** What the store needs of a node-postgres `PoolClient`. */
export interface PgPoolClientLike extends PgQueryable {
  release(err?: Error | boolean): void;
  on(event: string, listener: Listener): unknown;
  removeListener(event: string, listener: Listener): unknown;
}

/** What the store needs of a node-postgres `Pool`. */
export interface PgPoolLike {
  connect(): Promise<PgPoolClientLike>;
}

export interface PgOutboxStoreOptions {
  /**
   * The relay's connections: one per claim, one more that LISTENs. Best a small pool of its own (3), so
   * the relay never queues behind your app's queries; inserts use your transaction's client, not this.
   */
  pool: PgPoolLike;
  /** Default `nestjs_iggy_outbox`; `schema.table` allowed. */
  table?: string;
  /** LISTEN for inserts so the relay wakes on commit (default true; holds one pool connection). */
  listen?: boolean;
}

/**
 * The outbox on PostgreSQL through node-postgres. `publishInTx(client, ...)` takes the `PoolClient`
 * (or `Client`) on which you ran `BEGIN`; the relay uses the pool. See `PostgresOutboxCore` for how
 * several relays share one outbox.
 */
export class PgOutboxStore implements OutboxStore<PgQueryable> {
  readonly dialect = 'postgres';
  private readonly core: PostgresOutboxCore;
  private readonly listen: boolean;

  constructor(options: PgOutboxStoreOptions) {
    this.core = new PostgresOutboxCore(pgPoolSessions(options.pool), options.table);
    this.listen = options.listen ?? true;
  }

  /** The table's qualified name. */
  get table(): string {
    return this.core.sql.table;
  }

  ensureSchema(): Promise<void> {
    return this.core.ensureSchema();
  }

  async insert(txn: PgQueryable, record: OutboxRecord): Promise<void> {
    await txn.query(this.core.sql.insert, recordValues(record));
  }

  claim(limit: number): Promise<ClaimedBatch | null> {
    return this.core.claim(limit);
  }

  purge(before: Date, limit: number): Promise<number> {
    return this.core.purge(before, limit);
  }

  lag(): Promise<OutboxLag> {
    return this.core.lag();
  }

  get watch(): ((onChange: () => void) => Promise<OutboxWatch>) | undefined {
    return this.listen ? (onChange) => this.core.watch(onChange) : undefined;
  }
}

/** Sessions over a node-postgres pool. */
export function pgPoolSessions(pool: PgPoolLike): PgSessionSource {
  return {
    async acquire(): Promise<PgSession> {
      const client = await pool.connect();
      return pgClientSession(client, (broken) => client.release(broken ? true : undefined));
    },
  };
}

/** A session over one node-postgres client; `release` hands it back (to a pool, a TypeORM runner...). */
export function pgClientSession(
  client: Omit<PgPoolClientLike, 'release'>,
  release: (broken: boolean) => void,
): PgSession {
  const listeners: [string, Listener][] = [];
  let released = false;
  return {
    query: async (sql, params) => (await client.query(sql, params)).rows as Record<string, unknown>[],
    release(broken) {
      if (released) return;
      released = true;
      for (const [event, listener] of listeners) client.removeListener(event, listener);
      release(broken === true);
    },
    onNotification(onNotify, onLost) {
      const on = (event: string, listener: Listener): void => {
        listeners.push([event, listener]);
        client.on(event, listener);
      };
      on('notification', (msg: { channel: string }) => onNotify(msg.channel));
      on('error', (err: Error) => onLost(err));
      on('end', () => onLost(new Error('connection ended')));
    },
  };
}
