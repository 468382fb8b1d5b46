import { DEFAULT_HANDLED_RETENTION_MS, handledTableDdl, handledTableName } from './idempotency-ddl.js';
import type { IdempotencyStore } from '../../consumer/idempotency/idempotency-store.js';
import { IdempotencyStoreError } from '../../consumer/idempotency/idempotency-store-error.js';
import { outboxLockKeys } from '../outbox-ddl.js';
import type { PgSession, PgSessionSource } from '../stores/postgres/postgres-outbox-core.js';
import { pgPoolSessions, type PgPoolLike } from '../stores/postgres/pg-outbox-store.js';

/** What the store needs of a node-postgres `Pool` (the outbox's pool shape). */
export type PgIdempotencyPool = PgPoolLike;

export interface PgIdempotencyStoreOptions {
  /** A node-postgres `Pool` (your app's will do: one short query per message and per lookup). */
  pool: PgIdempotencyPool;
  /** Default `nestjs_iggy_handled`; `schema.table` allowed. */
  table?: string;
  /** How long an id is remembered (default 7 days); it must outlast any redelivery you expect. */
  retentionMs?: number;
}

/** Rows deleted per statement while pruning. */
const PRUNE_CHUNK = 10_000;

/**
 * The idempotency guard's ids on PostgreSQL (node-postgres): they survive a crash and are shared by
 * every instance of a group. The window it cannot close: the id is written after the group's handlers
 * succeeded (one `INSERT`, its own transaction) and before the offset commit; a process killed between
 * the end of a handler and that write's commit leaves the id unrecorded, and the event is handled again
 * after the restart: at most one event per partition in flight at the kill.
 */
export class PgIdempotencyStore implements IdempotencyStore {
  readonly table: string;
  readonly retentionMs: number;
  private readonly sessions: PgSessionSource;
  private readonly sql: ReturnType<typeof pgHandledSql>;

  constructor(options: PgIdempotencyStoreOptions) {
    this.table = handledTableName(options.table).qualified;
    this.retentionMs = options.retentionMs ?? DEFAULT_HANDLED_RETENTION_MS;
    this.sessions = pgPoolSessions(options.pool);
    this.sql = pgHandledSql(this.table);
  }

  /** Creates the table when missing, in one transaction under an advisory lock (instances start together). */
  async ensureSchema(): Promise<void> {
    const session = await this.sessions.acquire();
    try {
      await session.query('BEGIN');
      // The outbox's per-table schema lock key: a hash of this table's name, distinct from the outbox's.
      await session.query('SELECT pg_advisory_xact_lock($1::bigint)', [outboxLockKeys(this.table).schema]);
      for (const statement of handledTableDdl('postgres', this.table)) await session.query(statement);
      await session.query('COMMIT');
      session.release();
    } catch (err) {
      await session.query('ROLLBACK').catch(() => undefined);
      session.release(true);
      throw new IdempotencyStoreError(`idempotency schema set-up failed on ${this.table}`, { cause: err });
    }
  }

  async handled(group: string, ids: readonly string[]): Promise<ReadonlySet<string>> {
    if (ids.length === 0) return new Set();
    const rows = await this.run(this.sql.handled, [group, ids]);
    return new Set(rows.map((row) => String(row.event_id)));
  }

  async record(group: string, ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await this.run(this.sql.record, [group, ids]);
  }

  async prune(now = new Date()): Promise<number> {
    const before = new Date(now.getTime() - this.retentionMs);
    let total = 0;
    for (;;) {
      const [row] = await this.run(this.sql.prune, [before, PRUNE_CHUNK]);
      const n = Number(row?.n ?? 0);
      total += n;
      if (n < PRUNE_CHUNK) return total;
    }
  }

  private async run(sql: string, params: unknown[]): Promise<Record<string, unknown>[]> {
    const session: PgSession = await this.sessions.acquire();
    try {
      const rows = await session.query(sql, params);
      session.release();
      return rows;
    } catch (err) {
      session.release(true);
      throw err;
    }
  }
}

/** The store's statements for one table; `$n` parameters. */
function pgHandledSql(t: string): { handled: string; record: string; prune: string } {
  return {
    handled: `SELECT event_id FROM ${t} WHERE group_name = $1 AND event_id = ANY($2::text[])`,
    record: `INSERT INTO ${t} (group_name, event_id, handled_at) SELECT $1, unnest($2::text[]), now()
ON CONFLICT DO NOTHING`,
    prune: `WITH gone AS (
  DELETE FROM ${t} WHERE (group_name, event_id) IN (
    SELECT group_name, event_id FROM ${t} WHERE handled_at < $1 ORDER BY handled_at LIMIT $2
  ) RETURNING 1
) SELECT count(*)::int AS n FROM gone`,
  };
}
