import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { context, propagation, trace } from '@opentelemetry/api';
import { BasicTracerProvider, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';

/** What an app's OpenTelemetry setup does: async context, the W3C propagator and (given) a provider. */
export function installTracing(exporter?: SpanExporter): void {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  if (exporter) registerTracerProvider(exporter);
}

/** Registers a tracer provider exporting every finished span to `exporter`. */
export function registerTracerProvider(exporter: SpanExporter): void {
  trace.setGlobalTracerProvider(
    new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
  );
}

export function uninstallTracing(): void {
  trace.disable();
  propagation.disable();
  context.disable();
}

/** The value of one sample line of a Prometheus exposition (`name{labels} value`), or undefined. */
export function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}
