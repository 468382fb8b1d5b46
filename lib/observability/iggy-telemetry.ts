import { ConsumerTelemetry, type ConsumerTelemetryTarget } from './consumer-telemetry.js';
import type { IggyMetrics } from './iggy-metrics.js';
import { IggyTracing } from './iggy-tracing.js';
import { ProducerTelemetry } from './producer-telemetry.js';

/**
 * Metrics and traces of one app's Iggy traffic: what producers and consumer groups get to report into.
 * `create` gives undefined when there is nothing to report to (no metrics, no tracer provider), so an
 * app without either runs exactly as without it.
 */
export class IggyTelemetry {
  readonly producer: ProducerTelemetry;

  private constructor(
    readonly metrics: IggyMetrics | undefined,
    readonly tracing: IggyTracing | undefined,
  ) {
    this.producer = new ProducerTelemetry(metrics, tracing);
  }

  /**
   * `metrics` (when given) and tracing (when `tracing` is not false, `@opentelemetry/api` can be loaded
   * and a tracer provider is registered by now, as OpenTelemetry's setup does before the app starts).
   */
  static async create(metrics: IggyMetrics | undefined, tracing = true): Promise<IggyTelemetry | undefined> {
    const tracer = tracing ? await IggyTracing.load() : undefined;
    const traced = tracer?.enabled ? tracer : undefined;
    return metrics || traced ? new IggyTelemetry(metrics, traced) : undefined;
  }

  /** The observer of one consumer group. */
  consumer(target: ConsumerTelemetryTarget): ConsumerTelemetry {
    return new ConsumerTelemetry(target, this.metrics, this.tracing);
  }
}
