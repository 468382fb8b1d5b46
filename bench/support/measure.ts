/**
 * Measuring helpers shared by the bench scripts: warm-up, operations sampled alternately (so each sees
 * the same machine), medians. Synchronous operations for codec work, asynchronous batch runners for I/O.
 */
import { performance } from 'node:perf_hooks';

export interface Measured {
  /** Median time of one operation, ms. */
  ms: number;
  samples: number;
  /** Time of one operation in each sample, ms, in sampling order (alternating with the other operations). */
  series: number[];
}

/**
 * Throughput of `ours` relative to `base` (> 1: faster), as the median over adjacent sample pairs: each
 * pair saw the same moment of the machine, so a busy spell shared by both cancels out.
 */
export function pairedRatio(ours: Measured, base: Measured): number {
  const pairs = Math.min(ours.series.length, base.series.length);
  return median(Array.from({ length: pairs }, (_, i) => base.series[i]! / ours.series[i]!));
}

/** How long to warm up and to measure, and how long one sample lasts. */
export interface Timing {
  warmupMs: number;
  /** Total measuring time, shared by the operations sampled alternately. */
  measureMs: number;
  /** Each sample repeats the operation until it has taken about this long. */
  sampleMs: number;
  /** Samples per operation even when `measureMs` is over first. */
  minSamples: number;
}

/** Sums what each synchronous operation returns, so no call can be optimised away. */
let sink = 0;

/** Adds to the sink (for async operations that want their results kept alive too). */
export function consume(value: number): void {
  sink += value;
}

/** Reads the sink (prints it only in the impossible case), so it stays live to the end. */
export function keepSink(): void {
  if (sink === -1) console.log(sink);
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export const fmt = (n: number, digits = 0): string =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

function repsFor(op: () => number, sampleMs: number): number {
  const start = performance.now();
  let reps = 0;
  while (performance.now() - start < sampleMs) {
    op();
    reps++;
  }
  return reps;
}

function sample(op: () => number, reps: number): number {
  const start = performance.now();
  for (let i = 0; i < reps; i++) sink += op();
  return (performance.now() - start) / reps;
}

/** Warms every operation up, then alternates their samples; the median time of one call of each. */
export function measureSync(ops: readonly (() => number)[], timing: Timing): Measured[] {
  const warmEnd = performance.now() + timing.warmupMs;
  while (performance.now() < warmEnd) for (const op of ops) sink += op();
  const reps = ops.map((op) => repsFor(op, timing.sampleMs));
  const samples: number[][] = ops.map(() => []);
  const end = performance.now() + timing.measureMs;
  while (performance.now() < end || samples[0]!.length < timing.minSamples) {
    ops.forEach((op, i) => samples[i]!.push(sample(op, reps[i]!)));
  }
  return samples.map((s) => ({ ms: median(s), samples: s.length, series: s }));
}

/** `measureSync` of an operation and its baseline. */
export function measurePair(op: () => number, baseline: () => number, timing: Timing): [Measured, Measured] {
  const [ours, base] = measureSync([op, baseline], timing);
  return [ours!, base!];
}

/** Runs `batches` batches (one after the other, or pipelined) and resolves when all are done. */
export type BatchRunner = (batches: number) => Promise<void>;

async function timed(run: BatchRunner, batches: number): Promise<number> {
  const start = performance.now();
  await run(batches);
  return performance.now() - start;
}

/**
 * Warms every runner up while sizing its samples (batches per sample so one takes about `sampleMs`),
 * then alternates samples of all runners; the median time of one batch of each.
 */
export async function measureBatches(runners: readonly BatchRunner[], timing: Timing): Promise<Measured[]> {
  const sizes = runners.map(() => 1);
  const msPerBatch = runners.map(() => 0);
  const warmEnd = performance.now() + timing.warmupMs;
  do {
    for (let i = 0; i < runners.length; i++) {
      const ms = await timed(runners[i]!, sizes[i]!);
      msPerBatch[i] = ms / sizes[i]!;
      if (ms < timing.sampleMs / 2) sizes[i]! *= 2;
    }
  } while (performance.now() < warmEnd);
  const reps = msPerBatch.map((ms) => Math.max(1, Math.round(timing.sampleMs / Math.max(ms, 1e-6))));
  const samples: number[][] = runners.map(() => []);
  const end = performance.now() + timing.measureMs;
  while (performance.now() < end || samples[0]!.length < timing.minSamples) {
    for (let i = 0; i < runners.length; i++) {
      samples[i]!.push((await timed(runners[i]!, reps[i]!)) / reps[i]!);
    }
  }
  return samples.map((s) => ({ ms: median(s), samples: s.length, series: s }));
}
