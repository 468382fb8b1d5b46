import type { PublishRequest } from '../connectors/publish-request.js';
import { EnvelopeHeader } from '../events/envelope-headers.js';
import type { EventEnvelope } from '../events/event-envelope.js';
import { HeaderKind } from '../protocol/primitives/user-headers.js';
import type { EventTypeCounts } from './counter-tally.js';
import type { HistogramSlot } from './slot-histogram.js';
import type { IggyMetrics } from './iggy-metrics.js';
import type { EndSpan, IggyTracing, TraceTarget } from './iggy-tracing.js';

/** A publish under way: call it once the broker acknowledged it (no error) or with the error it failed with. */
export type PublishDone = (error?: unknown) => void;

/** `published`, reporting its outcome to `done`. */
export function observePublish(published: Promise<void>, done: PublishDone): Promise<void> {
  return published.then(
    () => done(),
    (error: unknown) => {
      done(error);
      throw error;
    },
  );
}

/**
 * The producers' metrics and traces (`IggyClientProxy`'s `emit`/`send`, the outbox's bus and relay): a
 * producer span whose context travels in the envelope's headers, and the published / errors / latency
 * metrics of each call (batch sizes and bytes are counted where batches are sent: `IggyMetrics.batchSent`).
 * Either part may be absent.
 */
export class ProducerTelemetry {
  /** Each topic's labels and counts by type, by stream then topic. */
  private readonly series = new Map<string, Map<string, PublishSeries>>();

  constructor(
    readonly metrics: IggyMetrics | undefined,
    readonly tracing: IggyTracing | undefined,
  ) {}

  /**
   * Before `envelope` is turned into a message to `target`: starts its producer span (into its headers)
   * and the publish timer. Undefined when there is nothing to report (no metrics, no tracer provider).
   */
  sending(target: TraceTarget, envelope: EventEnvelope): PublishDone | undefined {
    const end = this.tracing?.startProducer(target, envelope.type, envelope.headers);
    if (!end && !this.metrics) return undefined;
    const started = performance.now();
    return (error) => {
      end?.(error);
      this.count(target, [envelope.type], performance.now() - started, error);
    };
  }

  /**
   * Before the relay publishes `requests` (outbox rows; `fallback` is where rows without a target go):
   * continues the trace each row carries with a producer span, and starts the batch's timer.
   */
  relaying(
    requests: PublishRequest[],
    fallback: TraceTarget,
  ): { requests: PublishRequest[]; done: PublishDone } | undefined {
    const tracing = this.tracing;
    if (!this.metrics && !tracing?.enabled) return undefined;
    const ends: EndSpan[] = [];
    const traced = !tracing?.enabled
      ? requests
      : requests.map((request) => {
          const relayed = tracing.startRelayed(targetOf(request, fallback), typeOf(request), request.headers);
          if (!relayed) return request;
          ends.push(relayed.end);
          return request.withHeaders(relayed.headers);
        });
    const started = performance.now();
    return {
      requests: traced,
      done: (error) => {
        for (const end of ends) end(error);
        if (!this.metrics) return;
        const ms = performance.now() - started;
        const byTarget = new Map<string, { target: TraceTarget; types: string[] }>();
        for (const request of requests) {
          const target = targetOf(request, fallback);
          const key = `${target.stream}\u0000${target.topic}`;
          let entry = byTarget.get(key);
          if (!entry) byTarget.set(key, (entry = { target, types: [] }));
          entry.types.push(typeOf(request));
        }
        for (const { target, types } of byTarget.values()) this.count(target, types, ms, error);
      },
    };
  }

  /** A request (`send`) of `type` was published; then its replies, or its timeout. */
  request(type: string): void {
    this.metrics?.requests.inc({ type: this.metrics.type(type) });
  }

  reply(type: string, ok: boolean): void {
    this.metrics?.replies.inc({ type: this.metrics.type(type), status: ok ? 'ok' : 'error' });
  }

  timeout(type: string): void {
    this.metrics?.requestTimeouts.inc({ type: this.metrics.type(type) });
  }

  private count(target: TraceTarget, types: string[], ms: number, error: unknown): void {
    const metrics = this.metrics;
    if (!metrics) return;
    const { labels, published, seconds } = this.seriesOf(metrics, target);
    if (error !== undefined) {
      metrics.publishErrors.inc(labels);
      return;
    }
    seconds.observe(ms / 1000);
    for (const type of types) published.add(type);
  }

  private seriesOf(metrics: IggyMetrics, { stream, topic }: TraceTarget): PublishSeries {
    let byTopic = this.series.get(stream);
    if (!byTopic) this.series.set(stream, (byTopic = new Map()));
    let series = byTopic.get(topic);
    if (!series) {
      const labels = { stream, topic };
      series = {
        labels,
        published: metrics.publishedCounts(stream, topic),
        seconds: metrics.publishSeconds.slot(labels),
      };
      byTopic.set(topic, series);
    }
    return series;
  }
}

/** One topic's publish metrics: its labels, its published count by type, and its publish times. */
interface PublishSeries {
  labels: { stream: string; topic: string };
  published: EventTypeCounts<'stream' | 'topic'>;
  seconds: HistogramSlot;
}

function targetOf(request: PublishRequest, fallback: TraceTarget): TraceTarget {
  return { stream: request.stream ?? fallback.stream, topic: request.topic ?? fallback.topic };
}

/** The `event_type` header of a message being published. */
function typeOf(request: PublishRequest): string {
  for (const { key, value } of request.headers) {
    if (key.kind === HeaderKind.String && key.value === EnvelopeHeader.eventType) {
      return value.kind === HeaderKind.String ? value.value : 'unknown';
    }
  }
  return 'unknown';
}
