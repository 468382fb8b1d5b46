import pg from 'pg';
import { PgIdempotencyStore, PgOutboxStore } from '../../lib/index.js';
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
  seq       bigint GENERATED ALWAYS AS IDENTITY,
  tenant_id text NOT NULL,
  order_id  text NOT NULL,
  event_id  uuid NOT NULL,
  data      text NOT NULL,
  placed_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, order_id)
)`;

/** PostgreSQL's unique_violation. */
const UNIQUE_VIOLATION = '23505';

/**
 * The shop on PostgreSQL (node-postgres). The app's pool runs the transactions; the outbox relay has a
 * small pool of its own (a connection per claim and one that LISTENs), so it never queues behind
 * requests.
 */
export class PostgresShopDatabase extends ShopDatabase {
  readonly dialect = 'postgres';
  readonly outboxStore: PgOutboxStore;
  readonly idempotencyStore: PgIdempotencyStore;
  private readonly pool: pg.Pool;
  private readonly relayPool: pg.Pool;

  constructor(url: string) {
    super();
    this.pool = new pg.Pool({ connectionString: url, max: 10 });
    this.relayPool = new pg.Pool({ connectionString: url, max: 3 });
    // An idle client that loses its server (a restart) must not crash the process.
    for (const pool of [this.pool, this.relayPool]) pool.on('error', () => undefined);
    this.outboxStore = new PgOutboxStore({ pool: this.relayPool });
    // The handler groups' lookups and records are short queries: the app's pool serves them.
    this.idempotencyStore = new PgIdempotencyStore({ pool: this.pool });
  }

  async migrate(): Promise<void> {
    await this.pool.query(ORDERS_DDL);
    await this.idempotencyStore.ensureSchema();
  }

  async transaction<R>(work: (tx: ShopTransaction) => Promise<R>): Promise<R> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work({
        handle: client,
        insertOrder: async (order: Order, eventId: string) => {
          try {
            await client.query(
              'INSERT INTO orders (tenant_id, order_id, event_id, data, placed_at) VALUES ($1, $2, $3, $4, $5)',
              orderRow(order, eventId),
            );
          } catch (err) {
            if ((err as { code?: string }).code === UNIQUE_VIOLATION) {
              throw new DuplicateOrderError(order.tenantId, order.orderId);
            }
            throw err;
          }
        },
      });
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async findOrder(tenantId: string, orderId: string): Promise<StoredOrder | null> {
    const { rows } = await this.pool.query<Record<string, unknown>>(
      'SELECT event_id, data FROM orders WHERE tenant_id = $1 AND order_id = $2',
      [tenantId, orderId],
    );
    return rows[0] ? storedOrder(rows[0]) : null;
  }

  async listOrders(tenantId: string): Promise<StoredOrder[]> {
    const { rows } = await this.pool.query<Record<string, unknown>>(
      'SELECT event_id, data FROM orders WHERE tenant_id = $1 ORDER BY seq',
      [tenantId],
    );
    return rows.map(storedOrder);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([this.pool.end(), this.relayPool.end()]);
  }
}
