import { nowMicros } from '../protocol/messages/clock.js';
import { openState } from './bootstrap.js';
import { resolveBrokerConfig, type BrokerConfig, type ResolvedBrokerConfig } from './broker-config.js';
import { inspectBroker, type BrokerOverview } from './broker-inspection.js';
import { BrokerSession } from './broker-session.js';
import type { BrokerState } from './broker-state.js';
import * as systemCommands from './commands/system-commands.js';
import * as userCommands from './commands/user-commands.js';
import { MaintenanceTimers } from './maintenance-timers.js';
import type { MetadataFile } from './metadata/metadata-file.js';
import { rootHasDefaultPassword } from './metadata/root-credentials.js';
import { ROOT_USER_ID } from './metadata/users.js';
import { runRetention, type RetentionReport } from './partitions/retention.js';
import { Transport, type Identifier, type TransportValue } from './types.js';

/** How often pending consumer-group hand-overs are checked for their timeout (the real server's 5 s). */
const REBALANCE_CHECK_MS = 5_000;

/**
 * An in-process, Iggy-compatible broker (server 0.7.0 semantics): it starts and stops, runs its
 * maintenance, and opens sessions. Every command runs in a `BrokerSession` (`connect`, or `openSession`
 * for one already logged in); all but login need a logged-in client. Failures are `BrokerError`s
 * carrying the real server's error code. The work is done by `commands/`, on `metadata/` and `partitions/`.
 */
export class Broker {
  private closed = false;
  private readonly timers: MaintenanceTimers;

  private constructor(
    private readonly ctx: BrokerState,
    private readonly metadata: MetadataFile | null,
    /**
     * The root password this start generated (a first boot without `rootPassword`), else null. It is
     * never logged; the `iggy-embedded` CLI prints it once, as the real server does.
     */
    readonly generatedRootPassword: string | null,
  ) {
    this.timers = new MaintenanceTimers((message) => ctx.config.logger.error(message));
  }

  /**
   * Starts a broker: creates the data directory when missing (with its parents), takes its lock, loads
   * the metadata snapshot, opens (and recovers) every partition, creates the root user on first boot,
   * starts the retention timer.
   */
  static async open(config: BrokerConfig = { persistent: false }): Promise<Broker> {
    const { ctx, metadata, generatedRootPassword } = await openState(resolveBrokerConfig(config));
    const broker = new Broker(ctx, metadata, generatedRootPassword);
    broker.startTimers();
    return broker;
  }

  /** Stops the timers, waits for pending metadata writes, flushes and closes every partition, releases the lock. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.timers.stop();
    this.ctx.clients.close();
    try {
      await this.ctx.exclusive(async () => {
        await this.metadata?.drain();
        await this.ctx.partitions.closeAll();
      });
    } finally {
      await this.ctx.backend.close();
    }
  }

  get config(): ResolvedBrokerConfig {
    return this.ctx.config;
  }

  /** Whether the root user still has the well-known default password `iggy` (an Argon2 check). */
  rootHasDefaultPassword(): Promise<boolean> {
    return rootHasDefaultPassword(this.ctx.users);
  }

  // Sessions

  /**
   * An in-process session: a new client already logged in as `user` (id or name; default the root
   * user), without a password check — so it costs no Argon2 verification. For code running in this
   * process only (the embedded connector, tools holding this `Broker` object), and for the HTTP API's
   * per-request sessions, once the request's JWT (issued by this broker after a password or personal
   * access token login) is verified: nothing on the network reaches it without a login. The client is
   * listed under `label`; `close` ends it. ResourceNotFound (20) for an unknown user, UserInactive (47).
   */
  openSession(
    user: Identifier = ROOT_USER_ID,
    label = 'in-process',
    transport: TransportValue = Transport.Tcp,
  ): BrokerSession {
    return new BrokerSession(this.ctx, userCommands.connectInternalClient(this.ctx, user, transport, label));
  }

  /**
   * A session of a new client (connection), not logged in: `address` is `ip:port` or any label. Its
   * `login` checks the password (throttled per address); `close` disconnects it.
   */
  connect(transport: TransportValue, address: string): BrokerSession {
    return new BrokerSession(this.ctx, this.ctx.clients.connect(transport, address));
  }

  // Inspection (no session: the embedded server's HTTP stats API and metrics)

  /** A read-only picture of streams, topics, partitions, groups (members, offsets, lag) and counters. */
  inspect(): BrokerOverview {
    return inspectBroker(this.ctx);
  }

  // Maintenance (also run by timers)

  /** One retention pass (message expiry, max topic size), then expired tokens are dropped. */
  runRetention(): Promise<RetentionReport> {
    return this.ctx.exclusive(async () => {
      const now = nowMicros();
      const report = await runRetention(this.ctx.catalog, this.ctx.partitions, now);
      if (this.ctx.tokens.removeExpired(now) > 0) await this.ctx.persist();
      return report;
    });
  }

  /** Forces consumer-group hand-overs pending longer than the rebalancing timeout; returns how many. */
  checkRebalanceTimeouts(): number {
    return systemCommands.checkRebalanceTimeouts(this.ctx, Date.now());
  }

  private startTimers(): void {
    this.timers.every(this.ctx.config.retentionIntervalMs, () => this.runRetention(), 'retention');
    this.timers.every(
      REBALANCE_CHECK_MS,
      () => this.checkRebalanceTimeouts(),
      'consumer group hand-over check',
    );
  }
}
