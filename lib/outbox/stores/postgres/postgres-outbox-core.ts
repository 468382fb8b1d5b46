import type { ClaimedBatch, OutboxLag, OutboxWatch, PendingRow, Settlement } from '../../outbox-store.js';
import { postgresOutboxSql, type PostgresOutboxSql } from './postgres-sql.js';
import { describeError } from '../../../common/error-text.js';

/** One PostgreSQL connection, held until `release`. */
export interface PgSession {
  query(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  /** `broken`: the connection failed and must not be reused. */
  release(broken?: boolean): void;
  /** Subscribes to NOTIFY messages and connection loss; absent when the session cannot listen. */
  onNotification?(onNotify: (channel: string) => void, onLost: (err: unknown) => void): void;
}

/** Hands out sessions (a pg `Pool`, a TypeORM `DataSource`...). */
export interface PgSessionSource {
  acquire(): Promise<PgSession>;
}

/**
 * The relay side of the PostgreSQL outbox, shared by the `pg` and TypeORM stores.
 *
 * Several relays (app instances) on one outbox: each claim runs in its own transaction that first takes
 * `pg_try_advisory_xact_lock` on a key of the table, and keeps it through publish and settle (the rows
 * are read by the next statement, with a snapshot taken once the lock is ours). One relay
 * at a time works the outbox; the others find the lock taken and stand by (no row locks, no rows
 * skipped, and nothing to clean up when a relay dies: its transaction ends, its lock and its
 * unsettled claim go with it). We prefer it to `FOR UPDATE SKIP LOCKED` batches: those let two relays
 * publish one tenant's rows side by side (batch 1 on relay A, batch 2 on relay B), so per-tenant order
 * would need tenant-partitioned claims and rebalancing. One active relay publishing in batches is
 * far from the bottleneck (the broker takes its batches whole); the standbys take over at their next
 * poll or NOTIFY.
 */
export class PostgresOutboxCore {
  readonly sql: PostgresOutboxSql;

  constructor(
    private readonly sessions: PgSessionSource,
    table?: string,
  ) {
    this.sql = postgresOutboxSql(table);
  }

  /** Runs the DDL in one transaction under an advisory lock (instances starting together do it once). */
  async ensureSchema(): Promise<void> {
    await this.inTransaction(async (s) => {
      await s.query('SELECT pg_advisory_xact_lock($1::bigint)', [this.sql.locks.schema]);
      for (const statement of this.sql.ddl) await s.query(statement);
    });
  }

  async claim(limit: number): Promise<ClaimedBatch | null> {
    const session = await this.sessions.acquire();
    let open = false;
    try {
      const [peek] = await session.query(this.sql.peek);
      if (peek?.pending !== true) {
        session.release();
        return EMPTY_BATCH;
      }
      await session.query('BEGIN');
      open = true;
      const [lock] = await session.query(this.sql.tryLock, [this.sql.locks.relay]);
      if (lock?.granted !== true) {
        await session.query('ROLLBACK');
        session.release();
        return null;
      }
      const rows = (await session.query(this.sql.claim, [limit])) as unknown as PendingRow[];
      return this.batch(session, rows);
    } catch (err) {
      if (open) await session.query('ROLLBACK').catch(() => undefined);
      session.release(true);
      throw err;
    }
  }

  async purge(before: Date, limit: number): Promise<number> {
    const rows = await this.run(this.sql.purge, [before, limit]);
    return Number(rows[0]?.n ?? 0);
  }

  async lag(): Promise<OutboxLag> {
    const row = (await this.run(this.sql.lag))[0] ?? {};
    const age = row.ageMs;
    return {
      pending: Number(row.pending ?? 0),
      oldestPendingAgeMs: age === null || age === undefined ? null : Math.max(0, Math.round(Number(age))),
      dead: Number(row.dead ?? 0),
    };
  }

  /**
   * LISTENs on the table's channel on a connection of its own, reconnecting after a loss (meanwhile the
   * relay's slower poll goes on). The same connection holds the `idle` lock while the relay sleeps, so
   * that inserts notify only then (see the trigger in `outboxDdl`).
   */
  async watch(onChange: () => void, retryMs = 1000): Promise<OutboxWatch> {
    let stopped = false;
    let current: PgSession | undefined;
    let idleHeld = false;
    let timer: NodeJS.Timeout | undefined;
    const lost = (session: PgSession): void => {
      if (current !== session) return;
      current = undefined;
      idleHeld = false;
      session.release(true);
      if (!stopped) timer = setTimeout(again, retryMs);
    };
    const listen = async (): Promise<void> => {
      const session = await this.sessions.acquire();
      if (!session.onNotification) {
        session.release();
        throw new Error('this PostgreSQL session source cannot LISTEN');
      }
      session.onNotification(
        (channel) => {
          if (channel === this.sql.channel) onChange();
        },
        () => lost(session),
      );
      try {
        await session.query(`LISTEN ${this.sql.channel}`);
      } catch (err) {
        session.release(true);
        throw err;
      }
      current = session;
      onChange(); // rows committed while nobody listened
    };
    const again = (): void => {
      listen().catch(() => {
        if (!stopped) timer = setTimeout(again, retryMs);
      });
    };
    await listen();
    const locking = async (sql: string): Promise<boolean> => {
      const session = current;
      if (!session) return false;
      try {
        const [row] = await session.query(sql, [this.sql.locks.idle]);
        return row?.ok === true;
      } catch {
        lost(session);
        return false;
      }
    };
    return {
      idle: async () => {
        if (idleHeld && current) return 'held';
        if (!current) return 'held'; // not listening: the relay's safety poll is all there is
        idleHeld = await locking('SELECT pg_try_advisory_lock($1::bigint) AS ok');
        return idleHeld ? 'acquired' : 'busy';
      },
      busy: async () => {
        if (!idleHeld) return;
        idleHeld = false;
        await locking('SELECT pg_advisory_unlock($1::bigint) AS ok');
      },
      stop: async () => {
        stopped = true;
        clearTimeout(timer);
        const session = current;
        current = undefined;
        if (!session) return;
        try {
          await session.query(`UNLISTEN ${this.sql.channel}`);
          if (idleHeld) await session.query('SELECT pg_advisory_unlock($1::bigint)', [this.sql.locks.idle]);
          session.release();
        } catch {
          session.release(true);
        }
      },
    };
  }

  private batch(session: PgSession, rows: PendingRow[]): ClaimedBatch {
    let done = false;
    const finish = async (work: () => Promise<void>): Promise<void> => {
      if (done) throw new Error('this outbox batch is already settled or abandoned');
      done = true;
      try {
        await work();
        session.release();
      } catch (err) {
        await session.query('ROLLBACK').catch(() => undefined);
        session.release(true);
        throw err;
      }
    };
    return {
      rows,
      settle: (outcome: Settlement) =>
        finish(async () => {
          const { published, failed, dead } = outcome;
          if (published.length > 0) await session.query(this.sql.markPublished, [published]);
          if (failed && failed.ids.length > 0) {
            await session.query(this.sql.recordFailure, [failed.ids, failed.error]);
          }
          if (dead.length > 0) {
            await session.query(this.sql.markDead, [dead.map((d) => d.id), dead.map((d) => d.error)]);
          }
          await session.query('COMMIT');
        }),
      abandon: () => finish(() => session.query('ROLLBACK').then(() => undefined)),
    };
  }

  private async run(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]> {
    const session = await this.sessions.acquire();
    try {
      const rows = await session.query(sql, params);
      session.release();
      return rows;
    } catch (err) {
      session.release(true);
      throw err;
    }
  }

  private async inTransaction(work: (s: PgSession) => Promise<void>): Promise<void> {
    const session = await this.sessions.acquire();
    try {
      await session.query('BEGIN');
      await work(session);
      await session.query('COMMIT');
      session.release();
    } catch (err) {
      await session.query('ROLLBACK').catch(() => undefined);
      session.release(true);
      throw new Error(`outbox schema set-up failed: ${describeError(err)}`, { cause: err });
    }
  }
}

/** Nothing pending: nothing claimed, nothing to settle. */
const EMPTY_BATCH: ClaimedBatch = {
  rows: [],
  settle: async () => undefined,
  abandon: async () => undefined,
};
