import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'libsql';
import { SqliteIdempotencyStore, SqliteOutboxStore } from '../../lib/index.js';
import type { Order } from '../orders/order.js';
import {
  DuplicateOrderError,
  ShopDatabase,
  orderRow,
  storedOrder,
  type ShopTransaction,
  type StoredOrder,
} from './shop-database.js';

const ORDERS_DDL = `CREATE TABLE IF NOT EXISTS orders (
  seq       INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id TEXT NOT NULL,
  order_id  TEXT NOT NULL,
  event_id  TEXT NOT NULL,
  data      TEXT NOT NULL,
  placed_at TEXT NOT NULL,
  UNIQUE (tenant_id, order_id)
)`;

function open(file: string, busyTimeoutMs: number): InstanceType<typeof Database> {
  const db = new Database(file);
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA synchronous = NORMAL');
  db.exec(`PRAGMA busy_timeout = ${busyTimeoutMs}`);
  return db;
}

/**
 * The shop on one SQLite file (libsql, WAL). Two connections: the app's, on which transactions run one
 * at a time (a connection holds one transaction, and requests arrive concurrently), and the relay's
 * (also the handler groups' idempotency store's).
 * The relay's has no busy timeout: while an app transaction holds the write lock across an `await`,
 * a blocking wait on this one thread could never end, so the store retries asynchronously instead.
 */
export class SqliteShopDatabase extends ShopDatabase {
  readonly dialect = 'sqlite';
  readonly outboxStore: SqliteOutboxStore;
  readonly idempotencyStore: SqliteIdempotencyStore;
  private readonly db: InstanceType<typeof Database>;
  private readonly relayDb: InstanceType<typeof Database>;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly file: string) {
    super();
    mkdirSync(dirname(file), { recursive: true });
    this.db = open(file, 5_000);
    this.relayDb = open(file, 0);
    // A lease of 2 s: after a crash the next process relays within 2 s (the default is 5 s).
    this.outboxStore = new SqliteOutboxStore({ database: this.relayDb, leaseMs: 2_000 });
    // The relay's connection suits the handled ids too: no app transaction is ever open on it.
    this.idempotencyStore = new SqliteIdempotencyStore({ database: this.relayDb });
  }

  async migrate(): Promise<void> {
    this.db.exec(ORDERS_DDL);
    await this.idempotencyStore.ensureSchema();
  }

  transaction<R>(work: (tx: ShopTransaction) => Promise<R>): Promise<R> {
    const run = this.queue.then(() => this.inTransaction(work));
    this.queue = run.catch(() => undefined);
    return run;
  }

  async findOrder(tenantId: string, orderId: string): Promise<StoredOrder | null> {
    const row = this.db
      .prepare('SELECT event_id, data FROM orders WHERE tenant_id = ? AND order_id = ?')
      .get(tenantId, orderId);
    return row ? storedOrder(row as Record<string, unknown>) : null;
  }

  async listOrders(tenantId: string): Promise<StoredOrder[]> {
    const rows = this.db
      .prepare('SELECT event_id, data FROM orders WHERE tenant_id = ? ORDER BY seq')
      .all(tenantId);
    return rows.map((row) => storedOrder(row as Record<string, unknown>));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queue;
    this.db.close();
    this.relayDb.close();
  }

  private async inTransaction<R>(work: (tx: ShopTransaction) => Promise<R>): Promise<R> {
    const db = this.db;
    db.exec('BEGIN IMMEDIATE');
    try {
      const result = await work({
        handle: db,
        insertOrder: async (order: Order, eventId: string) => {
          try {
            db.prepare(
              'INSERT INTO orders (tenant_id, order_id, event_id, data, placed_at) VALUES (?, ?, ?, ?, ?)',
            ).run(...orderRow(order, eventId));
          } catch (err) {
            if ((err as { code?: string }).code?.startsWith('SQLITE_CONSTRAINT')) {
              throw new DuplicateOrderError(order.tenantId, order.orderId);
            }
            throw err;
          }
        },
      });
      db.exec('COMMIT');
      return result;
    } catch (err) {
      if (db.inTransaction) db.exec('ROLLBACK');
      throw err;
    }
  }
}
