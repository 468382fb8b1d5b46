import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Database from 'libsql';
import pg from 'pg';
import {
  IdempotencyStoreError,
  MemoryIdempotencyStore,
  type IdempotencyStore,
} from '../../../lib/consumer/index.js';
import { handledTableDdl } from '../../../lib/outbox/idempotency/idempotency-ddl.js';
import { PgIdempotencyStore } from '../../../lib/outbox/idempotency/pg-idempotency-store.js';
import { SqliteIdempotencyStore } from '../../../lib/outbox/idempotency/sqlite-idempotency-store.js';
import { startPostgres, type PostgresCluster } from '../../support/postgres.js';
import { describeWithPostgres } from '../../support/postgres-suite.js';

const DAY = 24 * 60 * 60 * 1000;
const ids = (...n: number[]): string[] =>
  n.map((i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);

/** What every durable store must do; `open` gives a fresh store (its schema ensured) and a way to close it. */
function durableStoreScenarios(
  open: (options?: { retentionMs?: number }) => Promise<{ store: IdempotencyStore; close(): Promise<void> }>,
): void {
  it('answers which of a batch of ids a group handled, per group', async () => {
    const { store, close } = await open();
    try {
      await store.record('billing', ids(1, 2));
      await store.record('billing', ids(2, 3)); // 2 again: no error
      await store.record('audit', ids(4));
      expect([...(await store.handled('billing', ids(1, 2, 3, 4, 5)))].sort()).toEqual(ids(1, 2, 3));
      expect([...(await store.handled('audit', ids(1, 4)))]).toEqual(ids(4));
      expect((await store.handled('nobody', ids(1))).size).toBe(0);
      expect((await store.handled('billing', [])).size).toBe(0);
    } finally {
      await close();
    }
  });

  it('prunes the entries older than its retention, and only those', async () => {
    const { store, close } = await open({ retentionMs: DAY });
    try {
      await store.record('billing', ids(1, 2));
      expect(await store.prune(new Date())).toBe(0);
      expect(await store.prune(new Date(Date.now() + 2 * DAY))).toBe(2);
      expect((await store.handled('billing', ids(1, 2))).size).toBe(0);
    } finally {
      await close();
    }
  });
}

describe('SqliteIdempotencyStore (libsql, a temp file)', () => {
  let dir: string;
  let n = 0;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'nestjs-iggy-handled-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const openFile = (file: string, busyTimeoutMs = 0): Database.Database => {
    const db = new Database(file);
    db.exec('PRAGMA journal_mode = WAL');
    db.exec(`PRAGMA busy_timeout = ${busyTimeoutMs}`);
    return db;
  };

  durableStoreScenarios(async (options) => {
    const db = openFile(join(dir, `s${++n}.sqlite`));
    const store = new SqliteIdempotencyStore({ database: db, ...options });
    await store.ensureSchema();
    await store.ensureSchema(); // twice: harmless
    return { store, close: async () => void db.close() };
  });

  it('keeps the ids across a reopening of the file', async () => {
    const file = join(dir, `s${++n}.sqlite`);
    const first = openFile(file);
    const before = new SqliteIdempotencyStore({ database: first });
    await before.ensureSchema();
    await before.record('billing', ids(7));
    first.close();
    const second = openFile(file);
    try {
      const after = new SqliteIdempotencyStore({ database: second });
      expect([...(await after.handled('billing', ids(7, 8)))]).toEqual(ids(7));
    } finally {
      second.close();
    }
  });

  it('waits out a write lock another connection holds, and a transaction open on its own', async () => {
    const file = join(dir, `s${++n}.sqlite`);
    const app = openFile(file);
    const mine = openFile(file);
    try {
      const store = new SqliteIdempotencyStore({ database: mine, busyRetryMs: 5_000 });
      await store.ensureSchema();
      app.exec('BEGIN IMMEDIATE');
      const recording = store.record('billing', ids(1));
      await new Promise((r) => setTimeout(r, 50));
      expect((await store.handled('billing', ids(1))).size).toBe(0); // still waiting
      app.exec('COMMIT');
      await recording;
      expect((await store.handled('billing', ids(1))).size).toBe(1);

      // Its own connection inside the app's transaction: the row must not join (and roll back with) it.
      mine.exec('BEGIN');
      const second = store.record('billing', ids(2));
      await new Promise((r) => setTimeout(r, 50));
      mine.exec('ROLLBACK');
      await second;
      expect((await store.handled('billing', ids(2))).size).toBe(1);
    } finally {
      app.close();
      mine.close();
    }
  });

  it('gives up with a typed error when the lock outlasts busyRetryMs', async () => {
    const file = join(dir, `s${++n}.sqlite`);
    const app = openFile(file);
    const mine = openFile(file);
    try {
      const store = new SqliteIdempotencyStore({ database: mine, busyRetryMs: 50 });
      await store.ensureSchema();
      app.exec('BEGIN IMMEDIATE');
      await expect(store.record('billing', ids(1))).rejects.toThrow(IdempotencyStoreError);
      app.exec('ROLLBACK');
    } finally {
      app.close();
      mine.close();
    }
  });
});

describeWithPostgres('PgIdempotencyStore (node-postgres, a throwaway cluster)', () => {
  let cluster: PostgresCluster;
  let n = 0;
  const pools: pg.Pool[] = [];
  beforeAll(async () => {
    cluster = await startPostgres();
  }, 60_000);
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.end()));
    await cluster?.stop();
  });

  const pool = async (): Promise<pg.Pool> => {
    const p = new pg.Pool({ connectionString: await cluster.createDatabase(`h_${++n}`), max: 3 });
    pools.push(p);
    return p;
  };

  durableStoreScenarios(async (options) => {
    const store = new PgIdempotencyStore({ pool: await pool(), ...options });
    await store.ensureSchema();
    return { store, close: async () => undefined };
  });

  it('creates its table once when instances start together, in a schema of its own if asked', async () => {
    const p = await pool();
    await p.query('CREATE SCHEMA app');
    const stores = [1, 2, 3].map(() => new PgIdempotencyStore({ pool: p, table: 'app.handled' }));
    await Promise.all(stores.map((s) => s.ensureSchema()));
    await stores[0]!.record('billing', ids(1));
    expect([...(await stores[2]!.handled('billing', ids(1)))]).toEqual(ids(1));
    const { rows } = await p.query("SELECT to_regclass('app.handled') AS t");
    expect(rows[0].t).toBe('app.handled');
  });

  it('fails with the driver error when the table is missing (no schema ensured)', async () => {
    const store = new PgIdempotencyStore({ pool: await pool() });
    await expect(store.handled('billing', ids(1))).rejects.toThrow(/nestjs_iggy_handled/);
  });
});

describe('idempotency DDL and names', () => {
  it('prints the table for both dialects', () => {
    for (const dialect of ['postgres', 'sqlite'] as const) {
      const [table, index] = handledTableDdl(dialect, 'my_handled');
      expect(table).toContain('CREATE TABLE IF NOT EXISTS my_handled');
      expect(table).toContain('PRIMARY KEY (group_name, event_id)');
      expect(index).toContain('my_handled_handled_at');
    }
  });

  it('rejects a table name that is not a plain identifier', () => {
    expect(() => new SqliteIdempotencyStore({ database: {} as never, table: 'x; DROP TABLE y' })).toThrow(
      IdempotencyStoreError,
    );
    expect(() => new PgIdempotencyStore({ pool: {} as never, table: 'a.b.c' })).toThrow(/schema\.name/);
  });

  it('the memory store remembers a window of ids per group', async () => {
    const store = new MemoryIdempotencyStore(2);
    await store.record('g', ids(1, 2, 3));
    await store.record('h', ids(1));
    expect([...(await store.handled('g', ids(1, 2, 3)))]).toEqual(ids(2, 3));
    expect([...(await store.handled('h', ids(1, 2)))]).toEqual(ids(1));
    expect(await store.prune()).toBe(0);
    expect(() => new MemoryIdempotencyStore(-1)).toThrow(TypeError);
  });
});
