import { DEFAULT_STREAM_NAME, DEFAULT_TOPIC_NAME } from '../connectors/connector-config.js';
import type { IggyConnector } from '../connectors/iggy-connector.js';
import type { PublishRequest } from '../connectors/publish-request.js';
import { SerializerRegistry } from '../events/serializer-registry.js';
import { OutboxError } from './outbox-error.js';
import { rowToRequest } from './outbox-record.js';
import {
  RelayDefaults,
  type OutboxRelayOptions,
  type RelayBackoff,
  type RelayCycle,
  type RelayState,
  type RelayStats,
} from './outbox-relay-options.js';
import type { OutboxLag, OutboxStore, OutboxWatch, Settlement } from './outbox-store.js';
import { RelayTimer } from './relay-timer.js';
import { describeError } from '../common/error-text.js';

/** Longest `last_error` kept in a row. */
const MAX_ERROR_CHARS = 2000;

/**
 * Publishes committed outbox rows to Iggy, oldest first, in batches (message id = envelope id,
 * partition key = tenant), then marks them published. At-least-once: a crash between publish and mark
 * publishes the same envelope ids again (consumers drop them by id). A failing broker leaves the rows
 * pending and is retried with backoff (`attempts`, `last_error` recorded), never skipping a row; a row
 * that cannot become a message is moved aside (`status` dead) and the relay goes on.
 */
export class OutboxRelay {
  private readonly store: OutboxStore<never>;
  private readonly batchSize: number;
  private readonly backoff: RelayBackoff;
  private readonly verify: SerializerRegistry | undefined;
  private readonly timer = new RelayTimer();
  private state: RelayState = 'stopped';
  private running = false;
  private loop: Promise<void> | undefined;
  private cycling = false;
  private watch: OutboxWatch | undefined;
  private unfollow: (() => void) | undefined;
  private unreconnect: (() => void) | undefined;
  private lagTimer: NodeJS.Timeout | undefined;
  private nextPurgeAt = 0;
  private readonly counters = { published: 0, dead: 0, failures: 0, consecutiveFailures: 0 };
  private lastError: string | undefined;

  constructor(private readonly options: OutboxRelayOptions) {
    this.store = options.store;
    this.batchSize = options.batchSize ?? RelayDefaults.batchSize;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) {
      throw new OutboxError('Config', `batchSize must be a positive integer, got ${this.batchSize}`);
    }
    this.backoff = { ...RelayDefaults.backoff, ...options.backoff };
    this.verify =
      options.verifyPayloads === false ? undefined : (options.verifyPayloads ?? new SerializerRegistry());
  }

  /** Starts relaying in the background (and watching for inserts when the store can). */
  async start(): Promise<void> {
    if (this.loop) return;
    this.running = true;
    this.state = 'active';
    this.timer.reset();
    this.nextPurgeAt = Date.now() + (this.options.purgeIntervalMs ?? RelayDefaults.purgeIntervalMs);
    if (this.store.watch) {
      try {
        this.watch = await this.store.watch(() => this.wake());
      } catch (err) {
        this.options.logger?.warn(
          `outbox relay: cannot watch for inserts, polling instead: ${describeError(err)}`,
        );
      }
    }
    // A write wakes a sleeping relay; a busy one polls every `busyPollMs` anyway (and batches meanwhile).
    if (!this.watch && this.options.bus) {
      this.unfollow = this.options.bus.onWritten(() => {
        if (this.state === 'idle') this.wake();
      });
    }
    // A broker that is back ends the backoff: the rows waiting on it go out now, not when it runs out.
    this.unreconnect = this.options.connector.onReconnect?.(() => {
      if (this.state === 'backoff') this.timer.retryNow();
    });
    const metrics = this.options.metrics;
    if (metrics?.onLag) {
      // Called on the metrics object (a class's method needs its `this`); a throwing hook is ignored.
      this.lagTimer = setInterval(() => {
        this.store
          .lag()
          .then((lag) => metrics.onLag?.(lag))
          .catch(() => undefined);
      }, this.options.lagIntervalMs ?? RelayDefaults.lagIntervalMs);
      this.lagTimer.unref();
    }
    this.loop = this.run();
  }

  /** Stops after the current batch; the store gives up what the relay held (a lease, a LISTEN). */
  async stop(): Promise<void> {
    const loop = this.loop;
    if (!loop) return;
    this.running = false;
    this.unfollow?.();
    this.unfollow = undefined;
    this.unreconnect?.();
    this.unreconnect = undefined;
    this.timer.stop();
    clearInterval(this.lagTimer);
    await loop;
    this.loop = undefined;
    this.state = 'stopped';
    const watch = this.watch;
    this.watch = undefined;
    await watch?.stop().catch(() => undefined);
    await this.store.close?.().catch(() => undefined);
  }

  /** Looks for rows now instead of at the next poll (a hint: call it after a commit). */
  wake(): void {
    this.timer.wake();
  }

  /** Rows waiting, the age of the oldest, rows moved aside. */
  lag(): Promise<OutboxLag> {
    return this.store.lag();
  }

  stats(): RelayStats {
    return {
      state: this.state,
      ...this.counters,
      lastError: this.lastError,
      watching: this.watch !== undefined,
    };
  }

  /**
   * One claim → publish → settle, for a relay that is not started (scripts, tests). A publish failure
   * is recorded on the rows and thrown.
   */
  async runOnce(): Promise<RelayCycle> {
    if (this.cycling) throw new OutboxError('Config', 'the relay is already running a batch');
    this.cycling = true;
    try {
      return await this.cycle();
    } finally {
      this.cycling = false;
    }
  }

  /** Runs batches until none is pending or another relay holds the outbox; returns rows published. */
  async drain(): Promise<number> {
    let published = 0;
    for (;;) {
      const cycle = await this.runOnce();
      published += cycle.published;
      if (!cycle.full) return published;
    }
  }

  /**
   * Claims while rows come; after `lingerMs` without any, sleeps: until notified when the store watches
   * (after telling it so: `watch.idle()`), else for `pollIntervalMs`. Failures back off, uninterrupted.
   */
  private async run(): Promise<void> {
    let lastRowsAt = Date.now();
    while (this.running) {
      let wait: number;
      let interruptible = true;
      this.timer.clearPending();
      try {
        // Awake after sleeping: writers may stop notifying (the claim below sees what they committed).
        if (this.state === 'idle') await this.watch?.busy?.();
        const cycle = await this.runOnce();
        this.counters.consecutiveFailures = 0;
        // On its own clock, busy or not: a relay that always finds rows must purge too.
        if (cycle.outcome !== 'standby') await this.purgeWhenDue();
        if (cycle.outcome !== 'idle') await this.watch?.busy?.();
        if (cycle.outcome === 'standby') {
          this.state = 'standby';
          wait = this.option('standbyPollMs');
        } else if (cycle.outcome === 'published') {
          this.state = 'active';
          lastRowsAt = Date.now();
          wait = cycle.full ? 0 : Math.min(this.option('busyPollMs'), this.option('lingerMs'));
          if (wait === 0) continue;
        } else {
          const sleep = Date.now() - lastRowsAt >= this.option('lingerMs') ? await this.canSleep() : 'busy';
          if (sleep === 'claim-again') continue;
          this.state = sleep === 'busy' ? 'active' : 'idle';
          wait =
            sleep === 'busy'
              ? this.option('busyPollMs')
              : this.watch
                ? this.option('watchPollIntervalMs')
                : this.option('pollIntervalMs');
        }
      } catch (err) {
        if (!this.running) break;
        wait = this.failed(err);
        interruptible = false;
      }
      if (!this.running) break;
      await this.timer.sleep(wait, interruptible);
    }
  }

  /** Whether the relay may sleep now, or has to claim again first (see `OutboxWatch.idle`). */
  private async canSleep(): Promise<'sleep' | 'busy' | 'claim-again'> {
    if (!this.watch?.idle) return 'sleep';
    const idle = await this.watch.idle();
    return idle === 'held' ? 'sleep' : idle === 'acquired' ? 'claim-again' : 'busy';
  }

  private option<K extends keyof typeof RelayDefaults & keyof OutboxRelayOptions>(key: K): number {
    return (this.options[key] as number | undefined) ?? (RelayDefaults[key] as number);
  }

  private async cycle(): Promise<RelayCycle> {
    const started = Date.now();
    const batch = await this.store.claim(this.batchSize);
    if (!batch) return { outcome: 'standby', published: 0, dead: 0, full: false };
    if (batch.rows.length === 0) {
      await batch.abandon();
      return { outcome: 'idle', published: 0, dead: 0, full: false };
    }
    const requests: PublishRequest[] = [];
    const ids: string[] = [];
    const dead: Settlement['dead'] = [];
    for (const row of batch.rows) {
      try {
        requests.push(rowToRequest(row, this.verify));
        ids.push(String(row.id));
      } catch (err) {
        dead.push({ id: String(row.id), error: errorForRow(err) });
      }
    }
    if (requests.length > 0) {
      const relayed = this.options.telemetry?.relaying(requests, defaultTarget(this.options.connector));
      try {
        await this.options.connector.publishBatch(relayed?.requests ?? requests);
        relayed?.done(undefined);
      } catch (err) {
        relayed?.done(err);
        await batch.settle({ published: [], failed: { ids, error: errorForRow(err) }, dead });
        this.reportDead(dead);
        throw err;
      }
    }
    await batch.settle({ published: ids, dead });
    this.reportDead(dead);
    this.counters.published += ids.length;
    if (ids.length > 0) this.options.metrics?.onPublished?.(ids.length, Date.now() - started);
    const full = batch.rows.length >= this.batchSize;
    return { outcome: 'published', published: ids.length, dead: dead.length, full };
  }

  private reportDead(dead: Settlement['dead']): void {
    for (const d of dead) {
      this.counters.dead += 1;
      this.options.logger?.error(`outbox relay: event ${d.id} moved aside: ${d.error}`);
      this.options.metrics?.onDead?.(d.id, d.error);
    }
  }

  private failed(err: unknown): number {
    this.counters.failures += 1;
    const n = ++this.counters.consecutiveFailures;
    this.lastError = describeError(err);
    this.state = 'backoff';
    const { initialMs, maxMs, multiplier, jitter } = this.backoff;
    const base = Math.min(maxMs, initialMs * multiplier ** (n - 1));
    const wait = Math.round(base * (1 - jitter + Math.random() * 2 * jitter));
    if (n === 1 || n % 10 === 0) {
      this.options.logger?.warn(
        `outbox relay: attempt ${n} failed, retrying in ${wait} ms: ${this.lastError}`,
      );
    }
    this.options.metrics?.onFailure?.(err, n, wait);
    return wait;
  }

  /**
   * Deletes rows published more than `retentionMs` ago, every `purgeIntervalMs` whatever the load. A
   * standby leaves it to the relay working the outbox, which purges on this same schedule: its deletes
   * would only repeat that relay's, and on SQLite take the single write lock from it.
   */
  private async purgeWhenDue(): Promise<void> {
    const retention =
      this.options.retentionMs === undefined ? RelayDefaults.retentionMs : this.options.retentionMs;
    if (retention === null || Date.now() < this.nextPurgeAt) return;
    this.nextPurgeAt = Date.now() + (this.options.purgeIntervalMs ?? RelayDefaults.purgeIntervalMs);
    try {
      let purged = 0;
      for (;;) {
        const n = await this.store.purge(new Date(Date.now() - retention), RelayDefaults.purgeBatch);
        purged += n;
        if (n < RelayDefaults.purgeBatch || !this.running) break;
      }
      if (purged > 0) this.options.metrics?.onPurged?.(purged);
    } catch (err) {
      this.options.logger?.warn(`outbox relay: purge failed: ${describeError(err)}`);
    }
  }
}

/** An error as a row keeps it: text without NUL (PostgreSQL refuses it), at most 2000 characters. */
function errorForRow(err: unknown): string {
  const text = describeError(err).replaceAll(String.fromCharCode(0), '\\0');
  return text.length > MAX_ERROR_CHARS ? `${text.slice(0, MAX_ERROR_CHARS - 1)}…` : text;
}

/** Where the connector publishes a row without a target of its own. */
function defaultTarget(connector: object): { stream: string; topic: string } {
  const config = (connector as Partial<IggyConnector>).config;
  return {
    stream: config?.streamName ?? DEFAULT_STREAM_NAME,
    topic: config?.topicName ?? DEFAULT_TOPIC_NAME,
  };
}
