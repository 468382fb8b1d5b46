export * from './iggy-metrics.js';
export * from './iggy-telemetry.js';
export * from './observability.constants.js';
export { SlotHistogram, type HistogramSlot } from './slot-histogram.js';
