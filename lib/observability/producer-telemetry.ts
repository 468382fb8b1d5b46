import type { PublishRequest } from '../connectors/publish-request.js';
import { EnvelopeHeader } from '../events/envelope-headers.js';
import type { EventEnvelope } from '../events/event-envelope.js';
import { HeaderKind } from '../protocol/primitives/user-headers.js';
import type { IggyMetrics } from './iggy-metrics.js';
import type { EndSpan, IggyTracing, TraceTarget } from './iggy-tracing.js';

/**
 * A publish under way: call it once the broker acknowledged it (`error` undefined, with the payload's
 * bytes) or with the error it failed with.
 */
export type PublishDone = (error: unknown, payloadBytes?: number) => void;

/** `published`, reporting its outcome to `done` (`payloadBytes` once acknowledged). */
export function observePublish(published: Promise<void>, done: PublishDone, payloadBytes: number): Promise<void> {
  return published.then(
    () => done(undefined, payloadBytes),
    (error: unknown) => {
      done(error);
      throw error;
    },
  );
}

/**
 * The producers' metrics and traces (`IggyClientProxy`'s `emit`/`send`, the outbox's bus and relay): a
 * producer span whose context travels in the envelope's headers, and the published / errors / bytes /
 * batch size / latency metrics. Either part may be absent.
 */
export class ProducerTelemetry {
  constructor(
    readonly metrics: IggyMetrics | undefined,
    readonly tracing: IggyTracing | undefined,
  ) {}

  /**
   * Before `envelope` is turned into a message to `target`: starts its producer span (into its headers)
   * and the publish timer.
   */
  sending(target: TraceTarget, envelope: EventEnvelope): PublishDone {
    const end = this.tracing?.startProducer(target, envelope.type, envelope.headers);
    const started = performance.now();
    return (error, payloadBytes = 0) => {
      end?.(error);
      this.count(target, [envelope.type], payloadBytes, performance.now() - started, error);
    };
  }

  /**
   * Before the relay publishes `requests` (outbox rows; `fallback` is where rows without a target go):
   * continues the trace each row carries with a producer span, and starts the batch's timer.
   */
  relaying(
    requests: PublishRequest[],
    fallback: TraceTarget,
  ): { requests: PublishRequest[]; done: PublishDone } {
    const ends: EndSpan[] = [];
    const tracing = this.tracing;
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
        const metrics = this.metrics;
        if (!metrics) return;
        const ms = performance.now() - started;
        const byTarget = new Map<string, { target: TraceTarget; types: string[]; bytes: number }>();
        for (const request of requests) {
          const target = targetOf(request, fallback);
          const key = `${target.stream}\u0000${target.topic}`;
          let entry = byTarget.get(key);
          if (!entry) byTarget.set(key, (entry = { target, types: [], bytes: 0 }));
          entry.types.push(typeOf(request));
          entry.bytes += request.payload.length;
        }
        for (const { target, types, bytes } of byTarget.values()) this.count(target, types, bytes, ms, error);
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

  private count(target: TraceTarget, types: string[], bytes: number, ms: number, error: unknown): void {
    const metrics = this.metrics;
    if (!metrics) return;
    const labels = { stream: target.stream, topic: target.topic };
    if (error !== undefined) {
      metrics.publishErrors.inc(labels);
      return;
    }
    metrics.publishSeconds.observe(labels, ms / 1000);
    metrics.publishBatchSize.observe(labels, types.length);
    if (bytes > 0) metrics.publishedBytes.inc(labels, bytes);
    for (const type of types) metrics.published.inc({ ...labels, type: metrics.type(type) });
  }
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
