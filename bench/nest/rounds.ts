/*
 * `bench:nest --rounds n`: every case × shape runs n times, the cases interleaved within each round, so a
 * slow spell of the machine falls on all of them. The tables and the aims take each case's median round;
 * beside it, the case's figure in every round against NATS of that same round shows the spread.
 */
import { fmt } from '../support/measure.js';
import type { CaseId } from './cases.js';
import type { CaseRun } from './report.js';
import type { ShapeId } from './shapes.js';

const BASELINE: CaseId = 'nats';
const MB = 1024 * 1024;

/** What ranks the rounds of a shape: events/s in a burst, p99 when paced, the RSS peak of the memory burst. */
function rank(run: CaseRun): number | undefined {
  const o = run.outcome;
  if (o.status !== 'ok') return undefined;
  if (run.shape === 'burst') return o.result.perSec;
  if (run.shape === 'paced') return o.result.p99Ms;
  return o.rssPeakBytes;
}

function roundsOf(runs: readonly CaseRun[], caseId: CaseId, shape: ShapeId): CaseRun[] {
  return runs
    .filter((run) => run.caseId === caseId && run.shape === shape)
    .sort((a, b) => (a.round ?? 0) - (b.round ?? 0));
}

/**
 * Each case × shape's median round by `rank` (the lower middle one of an even count), among the rounds
 * that measured; the first round when none did. In the order the runs came.
 */
export function medianRuns(runs: readonly CaseRun[]): CaseRun[] {
  const picked: CaseRun[] = [];
  for (const run of runs) {
    if (picked.some((p) => p.caseId === run.caseId && p.shape === run.shape)) continue;
    const all = roundsOf(runs, run.caseId, run.shape);
    const measured = all.filter((r) => rank(r) !== undefined).sort((a, b) => rank(a)! - rank(b)!);
    picked.push(measured.length === 0 ? all[0]! : measured[Math.floor((measured.length - 1) / 2)]!);
  }
  return picked;
}

/**
 * The case's figure in each round: ×NATS events/s (burst) or ×NATS p99 (paced) of the same round, MB
 * (memory burst); the outcome where a round did not measure, `?` where NATS of that round did not.
 */
export function perRound(runs: readonly CaseRun[], caseId: CaseId, shape: ShapeId): string {
  return roundsOf(runs, caseId, shape)
    .map((run) => {
      const o = run.outcome;
      if (o.status === 'skipped') return '—';
      if (o.status !== 'ok') return o.status;
      if (shape === 'rss') return fmt(o.rssPeakBytes / MB);
      const nats = runs.find((r) => r.caseId === BASELINE && r.shape === shape && r.round === run.round);
      const base =
        nats?.outcome.status === 'ok' && nats.outcome.result.complete ? nats.outcome.result : undefined;
      if (!base) return '?';
      return fmt(shape === 'burst' ? o.result.perSec / base.perSec : o.result.p99Ms / base.p99Ms, 2);
    })
    .join(' ');
}
