/** The databases the outbox runs on in tests: real SQLite files (libsql) and real PostgreSQL. */
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'libsql';
import pg from 'pg';
import { DataSource, type EntityManager } from 'typeorm';
import type { OutboxStore } from '../../lib/outbox/outbox-store.js';
import { PgOutboxStore, type PgQueryable } from '../../lib/outbox/stores/postgres/pg-outbox-store.js';
import {
  SqliteOutboxStore,
  type SqliteDatabaseLike,
} from '../../lib/outbox/stores/sqlite/sqlite-outbox-store.js';
import { TypeOrmOutboxStore, type TypeOrmTxn } from '../../lib/outbox/stores/typeorm/typeorm-outbox-store.js';

export interface RowState {
  status: number;
  attempts: number;
  lastError: string | null;
}

/** One database with the outbox and an `orders` table (the app's own data). */
export interface OutboxDbEnv<Txn = unknown> {
  readonly name: string;
  readonly store: OutboxStore<Txn>;
  /** Another app instance's store on the same database. */
  newStore(): Promise<OutboxStore<Txn>>;
  /** Runs `fn` in a transaction: commit when it resolves, rollback when it throws. */
  withTx<R>(fn: (txn: Txn) => Promise<R>): Promise<R>;
  /** Runs `fn` in a transaction and rolls it back. */
  rollbackTx(fn: (txn: Txn) => Promise<void>): Promise<void>;
  insertOrder(txn: Txn, id: string, tenant: string): Promise<void>;
  count(table: 'orders' | 'outbox'): Promise<number>;
  row(eventId: string): Promise<RowState | undefined>;
  /** Raw SQL with `$1`-style parameters (turned into `?` for SQLite). */
  exec(sql: string, params?: unknown[]): Promise<void>;
  close(): Promise<void>;
}

const OUTBOX = 'nestjs_iggy_outbox';
/** SQLite relay lease in tests: a "crashed" relay's lease lapses quickly. */
const LEASE_MS = 300;

function asSqliteParams(sql: string): string {
  return sql.replace(/\$\d+/g, '?');
}

/** A libsql connection on a temp file in WAL mode. */
export function openSqlite(file: string): InstanceType<typeof Database> {
  const db = new Database(file);
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA synchronous = NORMAL');
  db.exec('PRAGMA busy_timeout = 5000');
  return db;
}

export async function sqliteEnv(): Promise<OutboxDbEnv<SqliteDatabaseLike>> {
  const dir = mkdtempSync(join(tmpdir(), 'nestjs-iggy-outbox-sqlite-'));
  const file = join(dir, 'app.db');
  const db = openSqlite(file);
  const extra: InstanceType<typeof Database>[] = [];
  db.exec('CREATE TABLE orders (id TEXT PRIMARY KEY, tenant TEXT NOT NULL)');
  const store = new SqliteOutboxStore({ database: db, leaseMs: LEASE_MS });
  await store.ensureSchema();
  const all = (sql: string, params: unknown[] = []) =>
    db.prepare(asSqliteParams(sql)).all(...params) as Record<string, unknown>[];
  return {
    name: 'sqlite (libsql)',
    store,
    async newStore() {
      const other = openSqlite(file);
      extra.push(other);
      return new SqliteOutboxStore({ database: other, leaseMs: LEASE_MS });
    },
    async withTx(fn) {
      db.exec('BEGIN');
      try {
        const result = await fn(db);
        db.exec('COMMIT');
        return result;
      } catch (err) {
        db.exec('ROLLBACK');
        throw err;
      }
    },
    async rollbackTx(fn) {
      db.exec('BEGIN');
      try {
        await fn(db);
      } finally {
        db.exec('ROLLBACK');
      }
    },
    async insertOrder(txn, id, tenant) {
      txn.prepare('INSERT INTO orders (id, tenant) VALUES (?, ?)').run(id, tenant);
    },
    async count(table) {
      return Number(all(`SELECT count(*) AS n FROM ${table === 'orders' ? 'orders' : OUTBOX}`)[0]?.n);
    },
    async row(id) {
      const r = all(`SELECT status, attempts, last_error AS "lastError" FROM ${OUTBOX} WHERE id = $1`, [
        id,
      ])[0];
      return r as unknown as RowState | undefined;
    },
    async exec(sql, params = []) {
      db.prepare(asSqliteParams(sql)).run(...params);
    },
    async close() {
      for (const d of [...extra, db]) d.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function pgEnv(
  connectionString: string,
  options: { listen?: boolean; poolSize?: number } = {},
): Promise<OutboxDbEnv<PgQueryable>> {
  const pools: pg.Pool[] = [];
  const newPool = (max: number): pg.Pool => {
    const pool = new pg.Pool({ connectionString, max });
    pools.push(pool);
    return pool;
  };
  const pool = newPool(options.poolSize ?? 8);
  await pool.query('CREATE TABLE orders (id text PRIMARY KEY, tenant text NOT NULL)');
  // The relay's own small pool: it never waits behind the app's queries for a connection.
  const store = new PgOutboxStore({ pool: newPool(3), listen: options.listen });
  await store.ensureSchema();
  return {
    name: 'postgres (pg)',
    store,
    async newStore() {
      return new PgOutboxStore({ pool: newPool(3), listen: options.listen });
    },
    async withTx(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(client);
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK');
        throw err;
      } finally {
        client.release();
      }
    },
    async rollbackTx(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await fn(client);
      } finally {
        await client.query('ROLLBACK');
        client.release();
      }
    },
    async insertOrder(txn, id, tenant) {
      await txn.query('INSERT INTO orders (id, tenant) VALUES ($1, $2)', [id, tenant]);
    },
    async count(table) {
      const r = await pool.query(`SELECT count(*)::int AS n FROM ${table === 'orders' ? 'orders' : OUTBOX}`);
      return r.rows[0].n as number;
    },
    async row(id) {
      const r = await pool.query(
        `SELECT status, attempts, last_error AS "lastError" FROM ${OUTBOX} WHERE id = $1`,
        [id],
      );
      return r.rows[0] as RowState | undefined;
    },
    async exec(sql, params) {
      await pool.query(sql, params);
    },
    async close() {
      await Promise.all(pools.map((p) => p.end()));
    },
  };
}

/** TypeORM on PostgreSQL (`connectionString`) or on SQLite through libsql (`undefined`). */
export async function typeOrmEnv(
  connectionString?: string,
): Promise<OutboxDbEnv<TypeOrmTxn> & { dataSource: DataSource }> {
  const dir = connectionString ? undefined : mkdtempSync(join(tmpdir(), 'nestjs-iggy-outbox-typeorm-'));
  const sources: DataSource[] = [];
  const newSource = async (): Promise<DataSource> => {
    const ds = dir
      ? new DataSource({
          type: 'better-sqlite3',
          database: join(dir, 'app.db'),
          driver: Database,
          enableWAL: true,
        })
      : new DataSource({ type: 'postgres', url: connectionString, poolSize: 8 });
    await ds.initialize();
    sources.push(ds);
    return ds;
  };
  const ds = await newSource();
  const p = (sql: string) => (dir ? asSqliteParams(sql) : sql);
  await ds.query('CREATE TABLE orders (id text PRIMARY KEY, tenant text NOT NULL)');
  const store = new TypeOrmOutboxStore({ dataSource: ds, leaseMs: LEASE_MS });
  await store.ensureSchema();
  return {
    name: dir ? 'typeorm (sqlite via libsql)' : 'typeorm (postgres)',
    store,
    dataSource: ds,
    async newStore() {
      return new TypeOrmOutboxStore({ dataSource: await newSource(), leaseMs: LEASE_MS });
    },
    withTx: (fn) => ds.transaction((manager: EntityManager) => fn(manager)),
    async rollbackTx(fn) {
      const runner = ds.createQueryRunner();
      await runner.connect();
      await runner.startTransaction();
      try {
        await fn(runner.manager);
      } finally {
        await runner.rollbackTransaction();
        await runner.release();
      }
    },
    async insertOrder(txn, id, tenant) {
      await txn.query(p('INSERT INTO orders (id, tenant) VALUES ($1, $2)'), [id, tenant]);
    },
    async count(table) {
      const rows = await ds.query(`SELECT count(*) AS n FROM ${table === 'orders' ? 'orders' : OUTBOX}`);
      return Number(rows[0].n);
    },
    async row(id) {
      const rows = await ds.query(
        p(`SELECT status, attempts, last_error AS "lastError" FROM ${OUTBOX} WHERE id = $1`),
        [id],
      );
      return rows[0] as RowState | undefined;
    },
    async exec(sql, params) {
      await ds.query(p(sql), params);
    },
    async close() {
      for (const s of sources) await s.destroy();
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
