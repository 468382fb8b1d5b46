/*
 * `@opentelemetry/api` is an optional peer: it is loaded once, with a dynamic import that fails quietly
 * when the package is not installed (so both builds load without it). Its types are used here only, never
 * in a public signature, so an app without the package compiles against this library too.
 */
import type * as OpenTelemetryApi from '@opentelemetry/api';

export type OtelApi = typeof OpenTelemetryApi;

let loading: Promise<OtelApi | undefined> | undefined;

/** The `@opentelemetry/api` module, or undefined when it is not installed. */
export function loadOpenTelemetry(): Promise<OtelApi | undefined> {
  loading ??= import('@opentelemetry/api').then(
    // Loaded as CommonJS, the whole module may come as `default`.
    (module) => (module.ProxyTracerProvider ? module : (module.default as unknown as OtelApi)),
    () => undefined,
  );
  return loading;
}
