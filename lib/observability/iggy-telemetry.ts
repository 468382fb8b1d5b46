import { ConsumerTelemetry, type ConsumerTelemetryTarget } from './consumer-telemetry.js';
import type { IggyMetrics } from './iggy-metrics.js';
import { IggyTracing } from './iggy-tracing.js';
import { ProducerTelemetry } from './producer-telemetry.js';

/**
 * Metrics and traces of one app's Iggy traffic: what producers and consumer groups get to report into.
 * `create` gives undefined when there is nothing to report to (no metrics, no `@opentelemetry/api`), so
 * an app without either pays nothing.
 */
export class IggyTelemetry {
  readonly producer: ProducerTelemetry;

  private constructor(
    readonly metrics: IggyMetrics | undefined,
    readonly tracing: IggyTracing | undefined,
  ) {
    this.producer = new ProducerTelemetry(metrics, tracing);
  }

  /** `metrics` (when given) and tracing (when `@opentelemetry/api` can be loaded and `tracing` is not false). */
  static async create(metrics: IggyMetrics | undefined, tracing = true): Promise<IggyTelemetry | undefined> {
    const tracer = tracing ? await IggyTracing.load() : undefined;
    return metrics || tracer ? new IggyTelemetry(metrics, tracer) : undefined;
  }

  /**
   * The observer of one consumer group as it starts; undefined without metrics while no tracer provider
   * is registered (register it before the app starts, as OpenTelemetry's setup does).
   */
  consumer(target: ConsumerTelemetryTarget): ConsumerTelemetry | undefined {
    if (!this.metrics && !this.tracing?.enabled) return undefined;
    return new ConsumerTelemetry(target, this.metrics, this.tracing);
  }
}
