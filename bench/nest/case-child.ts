/*
 * One case under one shape, in a child process of `bench:nest` (so its RSS is its own): builds the drive,
 * runs the shape, and reports to the parent over IPC — progress while it runs (so a case killed for
 * its time budget still has its figures so far), then the result.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { CASES, type BenchCase, type CaseId, type Endpoints } from './cases.js';
import { probe, runShape, type Drive, type LoadResult } from './load.js';
import type { Shape } from './shapes.js';

/** What the parent hands a child (JSON in BENCH_NEST_CHILD). */
export interface ChildSpec {
  caseId: CaseId;
  shape: Shape;
  at: Endpoints;
}

/** How far a child got: warming up, or measuring for `measuredMs` with `handled` events handled. */
export interface Progress {
  measuring: boolean;
  handled: number;
  measuredMs: number;
}

/** What a child tells its parent. */
export type ChildReport =
  | { type: 'progress'; progress: Progress; rssPeakBytes: number }
  | { type: 'result'; result: LoadResult; rssPeakBytes: number }
  | { type: 'error'; message: string };

/** Loads only the drive's own code, so a Nest NATS child's RSS carries no Iggy code. */
async function driveFor(benchCase: BenchCase, at: Endpoints): Promise<Drive> {
  switch (benchCase.drive) {
    case 'iggy-nest':
      return (await import('./drives/iggy-nest-drive.js')).iggyNestDrive(benchCase.options(at));
    case 'nest-transport':
      return (await import('./drives/nest-transport-drive.js')).nestTransportDrive(
        benchCase.server(at),
        benchCase.client(at),
      );
    case 'connector':
      return (await import('./drives/connector-drive.js')).connectorDrive(benchCase.config(at));
  }
}

const SAMPLE_MS = 20;
const REPORT_EVERY = 25;

async function main(): Promise<void> {
  const spec = JSON.parse(process.env.BENCH_NEST_CHILD ?? '') as ChildSpec;
  const report = (r: ChildReport): Promise<void> =>
    new Promise((resolve) => (process.send ? process.send(r, () => resolve()) : resolve()));
  let rssPeakBytes = 0;
  let measuringSince: number | undefined;
  let samples = 0;
  const progress = (): void => {
    const measuring = measuringSince !== undefined;
    const measuredMs = measuring ? performance.now() - measuringSince! : 0;
    void report({
      type: 'progress',
      progress: { measuring, handled: probe.handled, measuredMs },
      rssPeakBytes,
    });
  };
  const sampler = setInterval(() => {
    rssPeakBytes = Math.max(rssPeakBytes, process.memoryUsage.rss());
    if (++samples % REPORT_EVERY === 0) progress();
  }, SAMPLE_MS);
  try {
    const drive = await driveFor(CASES[spec.caseId], spec.at);
    const result = await runShape(drive, spec.shape, () => {
      measuringSince = performance.now();
      progress();
    });
    rssPeakBytes = Math.max(rssPeakBytes, process.memoryUsage.rss(), process.resourceUsage().maxRSS * 1024);
    await report({ type: 'result', result, rssPeakBytes });
    clearInterval(sampler);
    await Promise.race([drive.stop(), sleep(10_000)]);
  } catch (error) {
    await report({
      type: 'error',
      message: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
  }
  clearInterval(sampler);
  process.disconnect?.();
  process.exit(0);
}

await main();
