import { Counter, Gauge, Registry } from 'prom-client';
import type { PartitionLag } from '../connectors/iggy-connector.js';
import type { SentBatch } from '../connectors/publish-batcher.js';
import { CounterTally, EventTypeCounts, type TallySlot } from './counter-tally.js';
import { LabelBudget } from './label-budget.js';
import { SlotHistogram } from './slot-histogram.js';

/** How `IggyMetrics` is set up. */
export interface IggyMetricsOptions {
  /** Where the metrics are registered (default: a registry of their own, `metrics.registry`). */
  registry?: Registry;
  /** Name prefix (default `nestjs_iggy_`). */
  prefix?: string;
  /** Distinct event types kept as label values per metric; later ones are counted as `other` (default 200). */
  maxEventTypes?: number;
}

/** One consumer group whose lag is read at scrape time. */
export interface LagSource {
  stream: string;
  topic: string;
  group: string;
  lag(): Promise<PartitionLag[]>;
}

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const BATCH_BUCKETS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000];

/**
 * The Prometheus metrics of the app's Iggy producers, consumer groups (`@IggyEventHandler` groups and
 * `IggyServer` alike) and request/reply, in one registry (`registry`, injectable as `IggyMetrics`) that
 * also holds the outbox relay's metrics when the module has an outbox, and that `metrics()` renders
 * together with any registry `include`d (the embedded broker's). Labels are bounded: stream, topic,
 * group, partition, an outcome, and the event type (at most `maxEventTypes` of them); never a tenant or
 * an event id.
 */
export class IggyMetrics {
  readonly registry: Registry;
  readonly published: Counter<'stream' | 'topic' | 'type'>;
  readonly publishErrors: Counter<'stream' | 'topic'>;
  readonly publishedBytes: Counter<'stream' | 'topic'>;
  readonly publishBatchSize: SlotHistogram<'stream' | 'topic'>;
  readonly publishSeconds: SlotHistogram<'stream' | 'topic'>;
  readonly handled: Counter<'group' | 'type'>;
  readonly failed: Counter<'group' | 'type'>;
  readonly retried: Counter<'group' | 'type'>;
  readonly deadLettered: Counter<'group' | 'type'>;
  readonly skipped: Counter<'group' | 'reason'>;
  readonly unmatched: Counter<'group' | 'type'>;
  readonly handlerSeconds: SlotHistogram<'group' | 'type'>;
  readonly inFlight: Gauge<'group'>;
  readonly commitSeconds: SlotHistogram<'group'>;
  readonly commitErrors: Counter<'group'>;
  readonly rebalances: Counter<'group'>;
  readonly assignedPartitions: Gauge<'group'>;
  readonly requests: Counter<'type'>;
  readonly replies: Counter<'type' | 'status'>;
  readonly requestTimeouts: Counter<'type'>;
  private readonly types: LabelBudget;
  private readonly publishedTally = new CounterTally<'stream' | 'topic' | 'type'>();
  private readonly handledTally = new CounterTally<'group' | 'type'>();
  private readonly inFlightByGroup = new Map<string, TallySlot>();
  private readonly lagSources = new Set<LagSource>();
  private readonly included = new Set<Registry>();

  constructor(options: IggyMetricsOptions = {}) {
    this.registry = options.registry ?? new Registry();
    this.types = new LabelBudget(options.maxEventTypes ?? 200);
    const p = options.prefix ?? 'nestjs_iggy_';
    const registers = [this.registry];
    const counter = <L extends string>(
      name: string,
      help: string,
      labelNames: L[],
      tally?: CounterTally<L>,
    ): Counter<L> =>
      new Counter<L>({
        name: p + name,
        help,
        labelNames,
        registers,
        ...(tally && {
          collect(this: Counter<L>) {
            tally.flushInto(this);
          },
        }),
      });
    const histogram = <L extends string>(name: string, help: string, labelNames: L[], buckets: number[]) =>
      new SlotHistogram<L>({ name: p + name, help, labelNames, buckets, registers });

    this.published = counter(
      'producer_published_total',
      'Events published',
      ['stream', 'topic', 'type'],
      this.publishedTally,
    );
    this.publishErrors = counter('producer_publish_errors_total', 'Failed publish calls', [
      'stream',
      'topic',
    ]);
    this.publishedBytes = counter(
      'producer_sent_bytes_total',
      'Bytes of the messages sent (headers included; events, replies, dead letters, outbox rows)',
      ['stream', 'topic'],
    );
    this.publishBatchSize = histogram(
      'producer_batch_size',
      'Messages per batch sent to one partition (publishes of a tick are coalesced)',
      ['stream', 'topic'],
      BATCH_BUCKETS,
    );
    this.publishSeconds = histogram(
      'producer_publish_duration_seconds',
      'Time of one publish call, until the broker acknowledged it',
      ['stream', 'topic'],
      LATENCY_BUCKETS,
    );
    this.handled = counter(
      'consumer_handled_total',
      'Messages the handlers of a group took',
      ['group', 'type'],
      this.handledTally,
    );
    this.failed = counter('consumer_failed_total', 'Handler calls that failed for good (after the retries)', [
      'group',
      'type',
    ]);
    this.retried = counter('consumer_retried_total', 'Handler calls tried again', ['group', 'type']);
    this.deadLettered = counter(
      'consumer_dead_lettered_total',
      'Handler calls and unreadable messages written to the dead-letter topic',
      ['group', 'type'],
    );
    this.skipped = counter(
      'consumer_skipped_total',
      'Messages no handler of the group took, by reason (duplicate, unmatched, request, redriven, expired, unreadable)',
      ['group', 'reason'],
    );
    this.unmatched = counter(
      'consumer_unmatched_total',
      'Events whose type matched no handler pattern of the group',
      ['group', 'type'],
    );
    this.handlerSeconds = histogram(
      'consumer_handler_duration_seconds',
      'Time of one handler call, retries included',
      ['group', 'type'],
      LATENCY_BUCKETS,
    );
    const inFlightByGroup = this.inFlightByGroup;
    this.inFlight = new Gauge({
      name: `${p}consumer_in_flight`,
      help: 'Messages being handled',
      labelNames: ['group'],
      registers,
      collect() {
        for (const [group, slot] of inFlightByGroup) this.set({ group }, slot.n);
      },
    });
    this.commitSeconds = histogram(
      'consumer_commit_duration_seconds',
      'Time of one offset commit',
      ['group'],
      LATENCY_BUCKETS,
    );
    this.commitErrors = counter('consumer_commit_errors_total', 'Failed offset commits', ['group']);
    this.rebalances = counter(
      'consumer_rebalances_total',
      'Changes of the set of partitions the group assigns to a member of this app (members joining or leaving)',
      ['group'],
    );
    this.assignedPartitions = new Gauge({
      name: `${p}consumer_assigned_partitions`,
      help: 'Partitions the group assigns to the members in this app (those being handed over included)',
      labelNames: ['group'],
      registers,
    });
    const sources = this.lagSources;
    new Gauge<'stream' | 'topic' | 'group' | 'partition'>({
      name: `${p}consumer_lag`,
      help: 'Messages of a partition not yet committed by the group (read at scrape time)',
      labelNames: ['stream', 'topic', 'group', 'partition'],
      registers,
      async collect() {
        this.reset();
        await Promise.all(
          [...sources].map(async (source) => {
            let lags: PartitionLag[];
            try {
              lags = await source.lag();
            } catch {
              return; // the server is unreachable: no lag this scrape
            }
            const { stream, topic, group } = source;
            for (const { partition, lag } of lags) {
              this.set({ stream, topic, group, partition: String(partition) }, Number(lag));
            }
          }),
        );
      },
    });
    this.requests = counter('requests_total', 'Requests sent (send)', ['type']);
    this.replies = counter('replies_total', 'Replies received, by status (ok, error)', ['type', 'status']);
    this.requestTimeouts = counter('request_timeouts_total', 'Requests that got no reply in time', ['type']);
  }

  /** Counts one batch the connector's publish path sent (`ConnectorBase.observePublishBatches`). */
  readonly batchSent = (batch: SentBatch): void => {
    const labels = { stream: batch.stream, topic: batch.topic };
    this.publishBatchSize.observe(labels, batch.messages);
    if (!batch.error) this.publishedBytes.inc(labels, batch.bytes);
  };

  /** The count of `consumer_handled_total` by type for `group`, kept until the metric is read. */
  handledCounts(group: string): EventTypeCounts<'group'> {
    return new EventTypeCounts(this.handledTally, { group }, (type) => this.type(type));
  }

  /** The count of `producer_published_total` by type for one topic, kept until the metric is read. */
  publishedCounts(stream: string, topic: string): EventTypeCounts<'stream' | 'topic'> {
    return new EventTypeCounts(this.publishedTally, { stream, topic }, (type) => this.type(type));
  }

  /** The number `consumer_in_flight` shows for `group` (shared by the group's consumers in this app). */
  inFlightCount(group: string): TallySlot {
    let slot = this.inFlightByGroup.get(group);
    if (!slot) this.inFlightByGroup.set(group, (slot = { n: 0 }));
    return slot;
  }

  /** `type` as a label value: one of the first `maxEventTypes` types seen, else `other`. */
  type(type: string): string {
    return this.types.of(type);
  }

  /** Reads the lag of a group at each scrape until the returned function is called. */
  watchLag(source: LagSource): () => void {
    this.lagSources.add(source);
    return () => this.lagSources.delete(source);
  }

  /** Renders `registry` with `metrics()` (another registry's names must not clash with these). */
  include(registry: Registry): void {
    if (registry !== this.registry) this.included.add(registry);
  }

  /** The Prometheus text exposition of this registry and of every included one. */
  async metrics(): Promise<string> {
    const texts = await Promise.all([this.registry, ...this.included].map((r) => r.metrics()));
    return texts.filter((t) => t.length > 0).join('\n');
  }

  /** The content type of `metrics()`. */
  get contentType(): string {
    return this.registry.contentType;
  }
}
