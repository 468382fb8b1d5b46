/** DI token of the module's `IggyTelemetry` (`null` when metrics are off and tracing is not installed). */
export const IGGY_TELEMETRY = Symbol('IGGY_TELEMETRY');
