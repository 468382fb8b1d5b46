import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { OutboxRelayMetrics } from './outbox-relay-options.js';
import type { OutboxLag } from './outbox-store.js';

export interface OutboxPrometheusOptions {
  /** Where the metrics are registered (default: a registry of their own, `metrics.registry`). */
  registry?: Registry;
  /** Name prefix (default `nestjs_iggy_outbox_`). */
  prefix?: string;
  /**
   * Read the lag at scrape time from here (the store, or the relay) instead of taking the relay's
   * periodic `onLag` report (every `lagIntervalMs`, default 10 s).
   */
  lagSource?: { lag(): Promise<OutboxLag> };
}

const BATCH_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/**
 * Prometheus metrics of an outbox relay: pass it as the relay's `metrics`
 * (`outbox: { store, relay: { metrics } }`) and serve `metrics.registry`. Gauges: pending rows, age of
 * the oldest pending row, dead rows; counters: published, failures, dead, purged; a histogram of the
 * time from claim to mark per batch.
 */
export class OutboxPrometheusMetrics implements OutboxRelayMetrics {
  readonly registry: Registry;
  private readonly pending: Gauge;
  private readonly oldestAge: Gauge;
  private readonly deadRows: Gauge;
  private readonly published: Counter;
  private readonly failures: Counter;
  private readonly movedAside: Counter;
  private readonly purged: Counter;
  private readonly batchSeconds: Histogram;

  constructor(options: OutboxPrometheusOptions = {}) {
    this.registry = options.registry ?? new Registry();
    const prefix = options.prefix ?? 'nestjs_iggy_outbox_';
    const registers = [this.registry];
    const source = options.lagSource;
    const collect = source
      ? async (): Promise<void> => {
          try {
            this.onLag(await source.lag());
          } catch {
            // the database is unreachable: the gauges keep their last values
          }
        }
      : undefined;
    this.pending = new Gauge({
      name: `${prefix}pending`,
      help: 'Outbox rows waiting to be published',
      registers,
      ...(collect && { collect }),
    });
    this.oldestAge = new Gauge({
      name: `${prefix}oldest_pending_age_seconds`,
      help: 'Age of the oldest pending outbox row (0 when none is pending)',
      registers,
    });
    this.deadRows = new Gauge({
      name: `${prefix}dead`,
      help: 'Outbox rows moved aside as unpublishable',
      registers,
    });
    this.published = new Counter({
      name: `${prefix}published_total`,
      help: 'Events published by the relay',
      registers,
    });
    this.failures = new Counter({
      name: `${prefix}failures_total`,
      help: 'Failed relay attempts (publish or database)',
      registers,
    });
    this.movedAside = new Counter({
      name: `${prefix}dead_total`,
      help: 'Rows moved aside by this relay',
      registers,
    });
    this.purged = new Counter({
      name: `${prefix}purged_total`,
      help: 'Published rows deleted after their retention',
      registers,
    });
    this.batchSeconds = new Histogram({
      name: `${prefix}batch_duration_seconds`,
      help: 'Time from claim to mark-published of one batch',
      buckets: BATCH_BUCKETS,
      registers,
    });
  }

  onPublished(count: number, ms: number): void {
    this.published.inc(count);
    this.batchSeconds.observe(ms / 1000);
  }

  onFailure(): void {
    this.failures.inc();
  }

  onDead(): void {
    this.movedAside.inc();
  }

  onPurged(count: number): void {
    this.purged.inc(count);
  }

  onLag(lag: OutboxLag): void {
    this.pending.set(lag.pending);
    this.oldestAge.set((lag.oldestPendingAgeMs ?? 0) / 1000);
    this.deadRows.set(lag.dead);
  }
}
