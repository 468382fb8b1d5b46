import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_HANDLED_RETENTION_MS, handledTableDdl, handledTableName } from './idempotency-ddl.js';
import type { IdempotencyStore } from '../../consumer/idempotency/idempotency-store.js';
import { IdempotencyStoreError } from '../../consumer/idempotency/idempotency-store-error.js';
import type { SqliteDatabaseLike, SqliteStatementLike } from '../stores/sqlite/sqlite-outbox-store.js';

/** What the store needs of a prepared statement (the SQLite outbox's shape). */
export type SqliteIdempotencyStatement = SqliteStatementLike;

/** What the store needs of a `libsql` / `better-sqlite3` connection (the SQLite outbox's shape). */
export type SqliteIdempotencyDatabase = SqliteDatabaseLike;

export interface SqliteIdempotencyStoreOptions {
  /**
   * A connection of `libsql` (or `better-sqlite3`). Best not the one your app holds transactions open
   * on across `await`s: the store waits until that connection is out of its transaction, so that its
   * rows never join (or roll back with) your transaction. A second connection to the file (WAL mode)
   * with no busy timeout suits it: writes retry asynchronously while another connection holds the lock.
   */
  database: SqliteIdempotencyDatabase;
  /** Default `nestjs_iggy_handled`. */
  table?: string;
  /** How long an id is remembered (default 7 days); it must outlast any redelivery you expect. */
  retentionMs?: number;
  /** How long a write retries while the database is locked by another connection (default 10 s). */
  busyRetryMs?: number;
}

const PRUNE_CHUNK = 10_000;

/**
 * The idempotency guard's ids in a SQLite file: they survive a crash of the process (and are shared by
 * the processes on that file). The window it cannot close: the id is written after the group's
 * handlers succeeded (one `INSERT`) and before the offset commit; a process killed between the end of a
 * handler and that write leaves the id unrecorded, and the event is handled again after the restart:
 * at most one event per partition in flight at the kill.
 */
export class SqliteIdempotencyStore implements IdempotencyStore {
  readonly table: string;
  readonly retentionMs: number;
  private readonly db: SqliteIdempotencyDatabase;
  private readonly busyRetryMs: number;
  private readonly sql: ReturnType<typeof sqliteHandledSql>;
  private readonly statements = new Map<string, SqliteIdempotencyStatement>();

  constructor(options: SqliteIdempotencyStoreOptions) {
    this.db = options.database;
    this.table = handledTableName(options.table).qualified;
    this.retentionMs = options.retentionMs ?? DEFAULT_HANDLED_RETENTION_MS;
    this.busyRetryMs = options.busyRetryMs ?? 10_000;
    this.sql = sqliteHandledSql(this.table);
  }

  async ensureSchema(): Promise<void> {
    await this.write(() => {
      for (const statement of handledTableDdl('sqlite', this.table)) this.db.exec(statement);
    });
  }

  async handled(group: string, ids: readonly string[]): Promise<ReadonlySet<string>> {
    if (ids.length === 0) return new Set();
    const rows = this.statement(this.sql.handled).all(group, JSON.stringify(ids)) as { event_id: unknown }[];
    return new Set(rows.map((row) => String(row.event_id)));
  }

  async record(group: string, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.write(() => this.statement(this.sql.record).run(group, Date.now(), JSON.stringify(ids)));
  }

  async prune(now = new Date()): Promise<number> {
    const before = now.getTime() - this.retentionMs;
    let total = 0;
    for (;;) {
      let n = 0;
      await this.write(() => (n = Number(this.statement(this.sql.prune).run(before, PRUNE_CHUNK).changes)));
      total += n;
      if (n < PRUNE_CHUNK) return total;
    }
  }

  /**
   * Runs a synchronous write outside any transaction of this connection, retrying while another
   * connection holds the write lock (asynchronously: a blocking busy wait on this thread could keep
   * that other connection, in the same process, from ever committing).
   */
  private async write(work: () => unknown): Promise<void> {
    const deadline = Date.now() + this.busyRetryMs;
    for (let delay = 1; ; delay = Math.min(delay * 2, 50)) {
      while (this.db.inTransaction) {
        if (Date.now() > deadline) {
          throw new IdempotencyStoreError('the SQLite connection stayed inside a transaction too long');
        }
        await sleep(delay);
      }
      try {
        work();
        return;
      } catch (err) {
        if (!isBusy(err) || Date.now() > deadline) {
          throw new IdempotencyStoreError(`write to ${this.table} failed`, { cause: err });
        }
      }
      await sleep(delay);
    }
  }

  private statement(sql: string): SqliteIdempotencyStatement {
    let statement = this.statements.get(sql);
    if (!statement) this.statements.set(sql, (statement = this.db.prepare(sql)));
    return statement;
  }
}

/** The store's statements for one table; `?` parameters, id lists as JSON arrays. */
function sqliteHandledSql(t: string): { handled: string; record: string; prune: string } {
  return {
    handled: `SELECT event_id FROM ${t}
WHERE group_name = ? AND event_id IN (SELECT value FROM json_each(?))`,
    record: `INSERT OR IGNORE INTO ${t} (group_name, event_id, handled_at)
SELECT ?, value, ? FROM json_each(?)`,
    prune: `DELETE FROM ${t} WHERE rowid IN (
  SELECT rowid FROM ${t} WHERE handled_at < ? ORDER BY handled_at LIMIT ?
)`,
  };
}

function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}
