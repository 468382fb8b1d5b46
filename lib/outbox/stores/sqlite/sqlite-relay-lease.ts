import { randomUUID } from 'node:crypto';
import type { SqliteOutboxSql } from './sqlite-sql.js';

/** Runs one lease statement; returns the rows it changed. */
export type LeaseStatementRunner = (sql: string, ...params: unknown[]) => number;

/**
 * The one-row lease (`<table>_lease`) naming the relay allowed to claim from a SQLite outbox, until
 * `expires_at`. A standby takes it only once it has lapsed.
 *
 * Why it is renewed while a batch is out. Renewed only at claim, a publish outliving `leaseMs` (a remote
 * connector holding requests while it reconnects) let a standby take the lease and publish the same rows
 * at the same time. Checking ownership at settle cannot prevent that (by then both have published), nor
 * can bounding the publish by the lease (a request handed to the connector cannot be called back: it may
 * still go out after a timeout). What prevents it is that the lease does not lapse while its holder
 * publishes: the holder renews it every `leaseMs / 3` from claim to settle, so a standby takes over only
 * from a relay that could not write for a whole `leaseMs` (dead, frozen, or its connection held inside
 * one transaction that long). A holder frozen longer than the lease that wakes with a request already
 * queued is the one case no lease closes without fencing at the broker, which Iggy has not; the holder
 * then finds at settle that the lease names another relay, records nothing over that relay's work and
 * stands by, and consumers drop the duplicate ids.
 */
export class SqliteRelayLease {
  private readonly owner = randomUUID();
  /** When our lease ends as we last wrote it; 0 when we do not hold it. */
  private until = 0;

  constructor(
    readonly leaseMs: number,
    private readonly sql: SqliteOutboxSql,
    private readonly run: LeaseStatementRunner,
  ) {}

  get held(): boolean {
    return this.until > 0;
  }

  /** Before a claim: takes the lease, or renews ours when half of it is gone; false: another relay holds it. */
  acquire(): boolean {
    const now = Date.now();
    if (this.until - now >= this.leaseMs / 2) return true;
    const until = now + this.leaseMs;
    if (this.run(this.sql.takeLease, this.owner, until, this.owner, now) === 0) return false;
    this.until = until;
    return true;
  }

  /**
   * Extends the lease if the row still names us: nobody took it since we did, even if it lapsed (taking
   * it writes the taker's name). False when another relay holds it now.
   */
  renew(): boolean {
    const until = Date.now() + this.leaseMs;
    if (this.run(this.sql.renewLease, until, this.owner) === 0) {
      this.until = 0;
      return false;
    }
    this.until = until;
    return true;
  }

  release(): void {
    this.until = 0;
    this.run(this.sql.releaseLease, this.owner);
  }
}
