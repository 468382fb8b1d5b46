import type { IdempotencyStore, OutboxStore } from '../../lib/index.js';
import type { Order } from '../orders/order.js';

/** Where the sample keeps its orders: SQLite by default, PostgreSQL when `DATABASE_URL` is set. */
export type SampleDatabaseConfig = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };

/** An order as stored: the order and the id of its `order.created` event. */
export interface StoredOrder {
  order: Order;
  eventId: string;
}

/** A transaction open on the shop's database. */
export interface ShopTransaction {
  /** The driver's own handle (a libsql connection inside `BEGIN`, a pg `PoolClient`): what `publishInTx` takes. */
  readonly handle: unknown;
  /** Inserts the order row; a second order with the same tenant and id fails with `DuplicateOrderError`. */
  insertOrder(order: Order, eventId: string): Promise<void>;
}

/**
 * The shop's database and, beside its tables, the outbox the `IggyModule` relays from and the ids its
 * handler groups handled.
 */
export abstract class ShopDatabase {
  abstract readonly dialect: 'sqlite' | 'postgres';
  /** The outbox store (its own connection(s); the app's transactions write through theirs). */
  abstract readonly outboxStore: OutboxStore<never>;
  /** The ids each handler group handled (`handlers.idempotencyStore`): duplicates are dropped across restarts. */
  abstract readonly idempotencyStore: IdempotencyStore;
  /** Creates the `orders` and handled-ids tables when missing. */
  abstract migrate(): Promise<void>;
  /** Runs `work` in one transaction: commit when it resolves, rollback when it throws. */
  abstract transaction<R>(work: (tx: ShopTransaction) => Promise<R>): Promise<R>;
  abstract findOrder(tenantId: string, orderId: string): Promise<StoredOrder | null>;
  /** A tenant's orders in the order they were placed. */
  abstract listOrders(tenantId: string): Promise<StoredOrder[]>;
  /** Closes the connections (after the relay stopped: Nest stops it in onModuleDestroy). */
  abstract onApplicationShutdown(): Promise<void>;
}

/** The order already exists (tenant + order id). */
export class DuplicateOrderError extends Error {
  override readonly name = 'DuplicateOrderError';

  constructor(tenantId: string, orderId: string) {
    super(`order ${orderId} of tenant ${tenantId} already exists`);
  }
}

/** `orders` table columns, the same on both databases. */
export function orderRow(order: Order, eventId: string): unknown[] {
  return [order.tenantId, order.orderId, eventId, JSON.stringify(order), order.placedAt];
}

export function storedOrder(row: Record<string, unknown>): StoredOrder {
  return { order: JSON.parse(String(row.data)) as Order, eventId: String(row.event_id) };
}
