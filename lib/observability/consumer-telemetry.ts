import { isPending, type MaybePromise } from '../common/maybe-promise.js';
import type { PartitionLag } from '../connectors/iggy-connector.js';
import type { GroupAssignment, ReceivedMessage } from '../connectors/message-subscriber.js';
import type { ConsumerObserver } from '../consumer/consumer-observer.js';
import type { Delivery } from '../consumer/delivery.js';
import type { DispatchResult } from '../consumer/dispatcher.js';
import type { IggyContext } from '../consumer/iggy.context.js';
import type { EventTypeCounts, TallySlot } from './counter-tally.js';
import type { IggyMetrics } from './iggy-metrics.js';
import type { IggyTracing, SpanNotes } from './iggy-tracing.js';

/** The group a `ConsumerTelemetry` reports for. */
export interface ConsumerTelemetryTarget {
  stream: string;
  topic: string;
  group: string;
}

/** The label value of a message whose type could not be read. */
const UNKNOWN_TYPE = 'unknown';

/**
 * One consumer group's metrics and traces: counts and times what the consumer runtime reports into
 * `IggyMetrics`, and runs each message in a consumer span (`IggyTracing`). Either may be absent.
 */
export class ConsumerTelemetry implements ConsumerObserver {
  /** Present with metrics only, so that without them the group's membership is never read. */
  readonly assigned?: (assignment: GroupAssignment) => void;
  /** Messages being handled now (the `in_flight` gauge reads it; without metrics, nothing does). */
  private readonly inFlight: TallySlot;
  private readonly handledCounts: EventTypeCounts<'group'> | undefined;
  private stopLag: (() => void) | undefined;
  /** Partitions last assigned to this member (counted in the gauge). */
  private assignedCount = 0;

  constructor(
    private readonly target: ConsumerTelemetryTarget,
    private readonly metrics: IggyMetrics | undefined,
    private readonly tracing: IggyTracing | undefined,
  ) {
    this.inFlight = metrics?.inFlightCount(target.group) ?? { n: 0 };
    this.handledCounts = metrics?.handledCounts(target.group);
    if (metrics) this.assigned = (assignment) => this.countAssignment(metrics, assignment);
  }

  started(lag: () => Promise<PartitionLag[]>): void {
    this.stopLag?.();
    this.stopLag = this.metrics?.watchLag({ ...this.target, lag });
  }

  stopped(): void {
    this.stopLag?.();
    this.stopLag = undefined;
    if (this.assignedCount > 0)
      this.metrics?.assignedPartitions.dec({ group: this.target.group }, this.assignedCount);
    this.assignedCount = 0;
  }

  process(delivery: Delivery, dispatch: () => MaybePromise<DispatchResult>): MaybePromise<DispatchResult> {
    if (this.tracing) return this.processTraced(this.tracing, delivery, dispatch);
    this.inFlight.n++;
    let outcome: MaybePromise<DispatchResult>;
    try {
      outcome = dispatch();
    } catch (error) {
      this.inFlight.n--;
      throw error;
    }
    if (isPending(outcome)) return outcome.then(this.settle(delivery), this.failed);
    this.inFlight.n--;
    this.count(delivery, outcome);
    return outcome;
  }

  handlerCall(context: IggyContext, ms: number, failure: { error: unknown } | undefined): void {
    const attempts = context.getAttempt();
    const deadLetterId = context.getDeadLetterId();
    const notes = this.tracing?.active();
    if (notes && attempts > 1) notes.retried(context.getHandlerName(), attempts);
    if (notes && failure && deadLetterId === undefined) notes.failed(context.getHandlerName(), failure.error);
    if (notes && deadLetterId !== undefined) {
      notes.deadLettered(context.getHandlerName(), deadLetterId, context.getLastError() ?? failure?.error);
    }
    const metrics = this.metrics;
    if (!metrics) return;
    const entry = this.handledCounts!.of(context.getEventType());
    const labels = entry.labels;
    (entry.seconds ??= metrics.handlerSeconds.slot(labels)).observe(ms / 1000);
    if (attempts > 1) metrics.retried.inc(labels, attempts - 1);
    if (failure || deadLetterId !== undefined) metrics.failed.inc(labels);
    if (deadLetterId !== undefined) metrics.deadLettered.inc(labels);
  }

  unreadable(_message: ReceivedMessage, error: unknown): void {
    this.tracing?.active().deadLettered('(unreadable)', undefined, error);
    this.metrics?.deadLettered.inc({ group: this.target.group, type: UNKNOWN_TYPE });
  }

  committed(ms: number, failure: { error: unknown } | undefined): void {
    const metrics = this.metrics;
    if (!metrics) return;
    metrics.commitSeconds.observe({ group: this.target.group }, ms / 1000);
    if (failure) metrics.commitErrors.inc({ group: this.target.group });
  }

  private countAssignment(metrics: IggyMetrics, { partitions, previous }: GroupAssignment): void {
    const group = this.target.group;
    metrics.rebalances.inc({ group }, previous === null ? 0 : 1); // the first set shows the series at 0
    metrics.assignedPartitions.inc({ group }, partitions.length - this.assignedCount);
    this.assignedCount = partitions.length;
  }

  private async processTraced(
    tracing: IggyTracing,
    delivery: Delivery,
    dispatch: () => MaybePromise<DispatchResult>,
  ): Promise<DispatchResult> {
    this.inFlight.n++;
    try {
      const result = await tracing.consume({ group: this.target.group, message: delivery.message }, (notes) =>
        this.traced(delivery, dispatch, notes),
      );
      this.count(delivery, result);
      return result;
    } finally {
      this.inFlight.n--;
    }
  }

  private async traced(
    delivery: Delivery,
    dispatch: () => MaybePromise<DispatchResult>,
    notes: SpanNotes,
  ): Promise<DispatchResult> {
    try {
      return await dispatch();
    } finally {
      if (delivery.meta) notes.eventType(delivery.meta.type);
    }
  }

  /** Ends a try whose dispatch was pending, once it resolved. */
  private settle(delivery: Delivery): (result: DispatchResult) => DispatchResult {
    return (result) => {
      this.inFlight.n--;
      this.count(delivery, result);
      return result;
    };
  }

  private readonly failed = (error: unknown): never => {
    this.inFlight.n--;
    throw error;
  };

  private count(delivery: Delivery, result: DispatchResult): void {
    const metrics = this.metrics;
    if (!metrics) return;
    const group = this.target.group;
    if (result === 'handled') {
      this.handledCounts!.add(delivery.meta?.type ?? UNKNOWN_TYPE);
    } else if (delivery.skipped !== undefined) {
      metrics.skipped.inc({ group, reason: delivery.skipped });
      if (delivery.skipped === 'unmatched') {
        metrics.unmatched.inc({ group, type: metrics.type(delivery.meta?.type ?? UNKNOWN_TYPE) });
      }
    }
  }
}
