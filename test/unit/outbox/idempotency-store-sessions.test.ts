/*
 * The durable idempotency stores run on the outbox's driver plumbing: its pool shape and pooled sessions,
 * its per-table schema lock key, its SQLite connection shape.
 */
import { describe, expect, it } from '@jest/globals';
import { PgIdempotencyStore } from '../../../lib/outbox/idempotency/pg-idempotency-store.js';
import { SqliteIdempotencyStore } from '../../../lib/outbox/idempotency/sqlite-idempotency-store.js';
import { outboxLockKeys } from '../../../lib/outbox/outbox-ddl.js';
import type { PgPoolClientLike, PgPoolLike } from '../../../lib/outbox/stores/postgres/pg-outbox-store.js';
import type { SqliteDatabaseLike } from '../../../lib/outbox/stores/sqlite/sqlite-outbox-store.js';

interface FakeClient extends PgPoolClientLike {
  queries: { sql: string; params: unknown[] | undefined }[];
  releases: unknown[][];
}

/** A pool handing out clients that record their queries and releases; `fail` makes a statement throw. */
function fakePool(fail: (sql: string) => boolean = () => false): { pool: PgPoolLike; clients: FakeClient[] } {
  const clients: FakeClient[] = [];
  const pool: PgPoolLike = {
    async connect() {
      const client: FakeClient = {
        queries: [],
        releases: [],
        async query(sql: string, params?: unknown[]) {
          client.queries.push({ sql, params });
          if (fail(sql)) throw new Error(`refused: ${sql}`);
          return { rows: [{ event_id: 'e-1', n: 0 }] };
        },
        release(...args: unknown[]) {
          client.releases.push(args);
        },
        on: () => client,
        removeListener: () => client,
      };
      clients.push(client);
      return client;
    },
  };
  return { pool, clients };
}

describe('PgIdempotencyStore over an outbox-shaped pool', () => {
  it("locks the schema with the outbox's schema lock key of its table, and hands the client back once", async () => {
    const { pool, clients } = fakePool();
    await new PgIdempotencyStore({ pool, table: 'app.handled' }).ensureSchema();
    const [client] = clients;
    const lock = client!.queries.find((q) => q.sql.includes('pg_advisory_xact_lock'));
    expect(lock?.params).toEqual([outboxLockKeys('app.handled').schema]);
    expect(lock?.params).not.toEqual([outboxLockKeys('nestjs_iggy_outbox').schema]);
    expect(client!.queries.at(-1)?.sql).toBe('COMMIT');
    expect(client!.releases).toEqual([[undefined]]);
  });

  it('drops a client whose statement failed (release(true)), after a ROLLBACK', async () => {
    const { pool, clients } = fakePool((sql) => sql.startsWith('CREATE TABLE'));
    await expect(new PgIdempotencyStore({ pool }).ensureSchema()).rejects.toThrow(/schema set-up failed/);
    expect(clients[0]!.queries.at(-1)?.sql).toBe('ROLLBACK');
    expect(clients[0]!.releases).toEqual([[true]]);
  });

  it('runs a lookup on its own client and returns it to the pool', async () => {
    const { pool, clients } = fakePool();
    const handled = await new PgIdempotencyStore({ pool }).handled('billing', ['e-1', 'e-2']);
    expect([...handled]).toEqual(['e-1']);
    expect(clients[0]!.queries[0]?.params).toEqual(['billing', ['e-1', 'e-2']]);
    expect(clients[0]!.releases).toEqual([[undefined]]);
  });
});

describe('SqliteIdempotencyStore over an outbox-shaped connection', () => {
  it('takes what the SQLite outbox takes (SqliteDatabaseLike)', async () => {
    const executed: string[] = [];
    const database: SqliteDatabaseLike = {
      prepare: () => ({ run: () => ({ changes: 0 }), all: () => [] }),
      exec: (sql: string) => executed.push(sql),
      inTransaction: false,
    };
    await new SqliteIdempotencyStore({ database, table: 'handled' }).ensureSchema();
    expect(executed[0]).toMatch(/^CREATE TABLE IF NOT EXISTS handled /);
  });
});
