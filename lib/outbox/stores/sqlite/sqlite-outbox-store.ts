import { setTimeout as sleep } from 'node:timers/promises';
import { outboxDdl, outboxTableName } from '../../outbox-ddl.js';
import { OutboxError, isOutboxError } from '../../outbox-error.js';
import { recordValues } from '../../outbox-record.js';
import type {
  ClaimedBatch,
  OutboxLag,
  OutboxRecord,
  OutboxStore,
  PendingRow,
  Settlement,
} from '../../outbox-store.js';
import { SqliteRelayLease } from './sqlite-relay-lease.js';
import { sqliteOutboxSql, type SqliteOutboxSql } from './sqlite-sql.js';
import { describeError } from '../../../common/error-text.js';

/** A prepared statement of `libsql` / `better-sqlite3` (their synchronous API). */
export interface SqliteStatementLike {
  run(...params: unknown[]): { changes: number | bigint };
  all(...params: unknown[]): unknown[];
}

/** A connection of `libsql` (recommended) or `better-sqlite3`: both fit. */
export interface SqliteDatabaseLike {
  prepare(sql: string): SqliteStatementLike;
  exec(sql: string): unknown;
  readonly inTransaction: boolean;
}

export interface SqliteOutboxStoreOptions {
  /**
   * The relay's connection. It may be the one your app writes through (the relay never reads while a
   * transaction is open on it), or a second connection to the same file (use WAL mode).
   */
  database: SqliteDatabaseLike;
  /** Default `nestjs_iggy_outbox`. */
  table?: string;
  /**
   * How long a relay's lease on the outbox lasts without renewal (default 5 s). The holder renews it
   * every `leaseMs / 3` while it has a batch out; a standby takes over `leaseMs` after the last renewal.
   */
  leaseMs?: number;
  /** How long `settle` retries while the database is locked by another connection (default 10 s). */
  busyRetryMs?: number;
}

/**
 * The outbox on SQLite through `libsql` (or `better-sqlite3`). `publishInTx(db, ...)` takes the
 * connection on which your transaction is open (`BEGIN` ... `COMMIT`); `publishInTxSync` works inside
 * `db.transaction(() => ...)`.
 *
 * Several relays (processes) on one database file: a lease row (`<table>_lease`) names the one relay
 * allowed to claim; the others stand by until it lapses (`leaseMs` after its holder's last renewal). The
 * holder keeps it renewed while a batch is out, so a slow publish never lets a standby publish the same
 * rows beside it (see `SqliteRelayLease`). SQLite has a single writer anyway, so a second active relay
 * would buy nothing.
 */
export class SqliteOutboxStore implements OutboxStore<SqliteDatabaseLike> {
  readonly dialect = 'sqlite';
  readonly table: string;
  private readonly db: SqliteDatabaseLike;
  private readonly sql: SqliteOutboxSql;
  private readonly lease: SqliteRelayLease;
  private readonly busyRetryMs: number;
  private readonly statements = new WeakMap<SqliteDatabaseLike, Map<string, SqliteStatementLike>>();

  constructor(options: SqliteOutboxStoreOptions) {
    this.db = options.database;
    this.table = outboxTableName(options.table).qualified;
    this.sql = sqliteOutboxSql(this.table);
    this.lease = new SqliteRelayLease(options.leaseMs ?? 5_000, this.sql, (sql, ...params) =>
      Number(this.statement(this.db, sql).run(...params).changes),
    );
    this.busyRetryMs = options.busyRetryMs ?? 10_000;
  }

  /** The INSERT statement: `OUTBOX_INSERT_COLUMNS` then `created_at` (ms since the epoch). */
  get insertSql(): string {
    return this.sql.insert;
  }

  async ensureSchema(): Promise<void> {
    await this.whenIdle();
    for (const statement of outboxDdl('sqlite', this.table)) this.db.exec(statement);
  }

  async insert(txn: SqliteDatabaseLike, record: OutboxRecord): Promise<void> {
    this.insertSync(txn, record);
  }

  insertSync(txn: SqliteDatabaseLike, record: OutboxRecord): void {
    if (!txn.inTransaction) {
      throw new OutboxError('NotInTransaction', `publishInTx needs an open transaction on the connection`, {
        eventId: record.id,
      });
    }
    this.statement(txn, this.sql.insert).run(...recordValues(record), Date.now());
  }

  async claim(limit: number): Promise<ClaimedBatch | null> {
    // While the app's transaction is open on this connection, reading would see its uncommitted rows.
    await this.whenIdle();
    try {
      if (!this.lease.acquire()) return null;
    } catch (err) {
      if (isBusy(err)) return null;
      throw err;
    }
    const rows = (this.statement(this.db, this.sql.claim).all(limit) as Record<string, unknown>[]).map(
      toPendingRow,
    );
    return this.batch(rows);
  }

  async purge(before: Date, limit: number): Promise<number> {
    await this.whenIdle();
    return Number(this.statement(this.db, this.sql.purge).run(before.getTime(), limit).changes);
  }

  async lag(): Promise<OutboxLag> {
    // As for a claim: inside the app's transaction on this connection, it would count uncommitted rows.
    await this.whenIdle();
    const row = (this.statement(this.db, this.sql.lag).all() as Record<string, unknown>[])[0] ?? {};
    const oldest = row.oldest;
    return {
      pending: Number(row.pending ?? 0),
      oldestPendingAgeMs:
        oldest === null || oldest === undefined ? null : Math.max(0, Date.now() - Number(oldest)),
      dead: Number(row.dead ?? 0),
    };
  }

  /** Gives the lease up, so a standby takes over at once. */
  async close(): Promise<void> {
    if (!this.lease.held) return;
    try {
      await this.whenIdle();
      this.lease.release();
    } catch {
      // the lease lapses by itself
    }
  }

  private batch(rows: PendingRow[]): ClaimedBatch {
    let done = false;
    const keepAlive = rows.length > 0 ? this.keepLeaseAlive() : undefined;
    const once = (): void => {
      if (done) throw new OutboxError('Store', 'this outbox batch is already settled or abandoned');
      done = true;
    };
    return {
      rows,
      settle: async (outcome: Settlement) => {
        once();
        try {
          await this.write(() => this.applySettlement(outcome));
        } finally {
          clearInterval(keepAlive);
        }
      },
      abandon: async () => {
        once();
        clearInterval(keepAlive);
      },
    };
  }

  /** Renews the lease every `leaseMs / 3` until the batch is settled (see `SqliteRelayLease`). */
  private keepLeaseAlive(): NodeJS.Timeout {
    const timer = setInterval(
      () => {
        // Inside the app's transaction a write would join it; busy: the next tick tries again.
        if (this.db.inTransaction) return;
        try {
          this.lease.renew();
        } catch {
          // the next tick tries again; settle checks the lease for good
        }
      },
      Math.max(1, Math.floor(this.lease.leaseMs / 3)),
    );
    timer.unref();
    return timer;
  }

  private applySettlement({ published, failed, dead }: Settlement): void {
    const db = this.db;
    db.exec('BEGIN IMMEDIATE');
    try {
      if (!this.lease.renew()) {
        throw new OutboxError(
          'LeaseLost',
          `another relay took the outbox lease while this one was publishing: batch abandoned, standing by`,
        );
      }
      if (published.length > 0) {
        this.statement(db, this.sql.markPublished).run(Date.now(), JSON.stringify(published));
      }
      if (failed && failed.ids.length > 0) {
        this.statement(db, this.sql.recordFailure).run(failed.error, JSON.stringify(failed.ids));
      }
      for (const d of dead) this.statement(db, this.sql.markDead).run(d.error, d.id);
      db.exec('COMMIT');
    } catch (err) {
      if (db.inTransaction) db.exec('ROLLBACK');
      throw err;
    }
  }

  /** Runs a synchronous write when no transaction is open here, retrying while another connection locks. */
  private async write(work: () => void): Promise<void> {
    const deadline = Date.now() + this.busyRetryMs;
    for (let delay = 1; ; delay = Math.min(delay * 2, 50)) {
      await this.whenIdle(deadline);
      try {
        return work();
      } catch (err) {
        if (isOutboxError(err)) throw err;
        if (!isBusy(err) || Date.now() > deadline) {
          throw new OutboxError('Store', `outbox settle failed: ${describeError(err)}`, { cause: err });
        }
      }
      await sleep(delay);
    }
  }

  /** Waits until the connection has no open transaction (the app's). */
  private async whenIdle(deadline = Date.now() + this.busyRetryMs): Promise<void> {
    for (let delay = 1; this.db.inTransaction; delay = Math.min(delay * 2, 20)) {
      if (Date.now() > deadline) {
        throw new OutboxError('Store', 'the SQLite connection stayed inside a transaction too long');
      }
      await sleep(delay);
    }
  }

  private statement(db: SqliteDatabaseLike, sql: string): SqliteStatementLike {
    let cache = this.statements.get(db);
    if (!cache) this.statements.set(db, (cache = new Map()));
    let statement = cache.get(sql);
    if (!statement) cache.set(sql, (statement = db.prepare(sql)));
    return statement;
  }
}

function toPendingRow(row: Record<string, unknown>): PendingRow {
  return { ...(row as unknown as PendingRow), createdAt: new Date(Number(row.createdAt)) };
}

function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}
