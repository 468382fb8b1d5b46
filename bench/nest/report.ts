/*
 * What `bench:nest` prints: a table per shape (each case's figures and its ratios to Nest NATS of the same
 * run), the issue's aims marked met or missed, and one JSON line to diff runs by.
 */
import { fmt } from '../support/measure.js';
import type { Outcome } from './case-process.js';
import { CASES, type CaseId } from './cases.js';
import { perRound } from './rounds.js';
import type { Shape, ShapeId } from './shapes.js';

/** One case under one shape. */
export interface CaseRun {
  caseId: CaseId;
  shape: ShapeId;
  outcome: Outcome;
  /** Peak RSS of the broker process when the bench started one for this run alone (`iggy-embedded`). */
  brokerRssPeakBytes?: number;
  /** Which of the `--rounds` it was (0 first). */
  round?: number;
}

const BASELINE: CaseId = 'nats';
const MB = 1024 * 1024;
const RSS_AIM_MB = 300;
const IGGY_MODES: CaseId[] = [
  'embedded-default',
  'embedded-fsync-always',
  'remote-iggy-embedded',
  'remote-iggy-server',
];

const figures = (run: CaseRun | undefined) => (run?.outcome.status === 'ok' ? run.outcome.result : undefined);

/** The baseline's figures when it handled every event (a transport that dropped events is no yardstick). */
const baselineFigures = (run: CaseRun | undefined) => {
  const r = figures(run);
  return r?.complete ? r : undefined;
};

/** Events/s up to the moment a case timed out or died (it was measuring by then), else undefined. */
function soFar(run: CaseRun | undefined): number | undefined {
  const o = run?.outcome;
  if (!o || o.status === 'ok' || o.status === 'skipped') return undefined;
  const { measuring, handled, measuredMs } = o.progress;
  return measuring && measuredMs > 0 ? (handled / measuredMs) * 1000 : undefined;
}

/** The columns of one row; `—` where there is no figure. */
function row(run: CaseRun, baseline: CaseRun | undefined): string[] {
  const r = figures(run);
  const base = baselineFigures(baseline);
  const o = run.outcome;
  const rss = o.status === 'skipped' ? '—' : `${o.status === 'ok' ? '' : '≥ '}${fmt(o.rssPeakBytes / MB)}`;
  const ratio = (x: number | undefined, digits: number): string =>
    x === undefined || !Number.isFinite(x) ? '—' : `${fmt(x, digits)}×`;
  const partial = soFar(run);
  const partialRatio = partial !== undefined && base ? `~${ratio(partial / base.perSec, 2)}` : '—';
  return [
    CASES[run.caseId].label,
    CASES[run.caseId].persistent ? 'yes' : 'no',
    r ? fmt(r.perSec) : partial !== undefined ? `~${fmt(partial)}` : '—',
    r ? fmt(r.p50Ms, 2) : '—',
    r ? fmt(r.p99Ms, 2) : '—',
    rss,
    run.brokerRssPeakBytes === undefined ? '—' : fmt(run.brokerRssPeakBytes / MB),
    r ? ratio(base ? r.perSec / base.perSec : undefined, 2) : partialRatio,
    ratio(r && base ? r.p99Ms / base.p99Ms : undefined, 2),
    note(run),
  ];
}

function note(run: CaseRun): string {
  const o = run.outcome;
  if (o.status !== 'ok') return o.reason;
  const r = o.result;
  const notes: string[] = [];
  if (!r.complete) notes.push(`incomplete: ${fmt(r.handled)} of ${fmt(r.events)} handled`);
  if (r.failedEmits > 0) notes.push(`${fmt(r.failedEmits)} emits failed (${r.firstError})`);
  return notes.join('; ');
}

const HEAD = [
  'case',
  'persistent',
  'events/s',
  'p50 ms',
  'p99 ms',
  'RSS MB',
  'broker MB',
  '×NATS ev/s',
  '×NATS p99',
  'note',
];

function table(rows: string[][], withRounds: boolean): string {
  const head = withRounds ? [...HEAD, 'rounds'] : HEAD;
  const widths = head.map((_, i) => Math.max(...[head, ...rows].map((r) => r[i]!.length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i === 0 || i >= HEAD.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(head), ...rows.map(line)].join('\n');
}

export type AimStatus = 'met' | 'missed' | 'not measured';

export interface Aim {
  text: string;
  status: AimStatus;
  /** The figure behind the status. */
  detail: string;
}

/** Throughput of `caseId` in `shape` at least `factor` × the baseline's. */
function throughputAim(runs: CaseRun[], caseId: CaseId, factor: number, text: string): Aim {
  const r = figures(find(runs, caseId, 'burst'));
  const base = baselineFigures(find(runs, BASELINE, 'burst'));
  if (!base) return { text, status: 'not measured', detail: 'no complete NATS figure' };
  if (!r) {
    const partial = soFar(find(runs, caseId, 'burst'));
    const sofar = partial === undefined ? '' : `~${fmt(partial / base.perSec, 2)}× so far, `;
    return { text, status: 'missed', detail: `${sofar}${why(find(runs, caseId, 'burst'))}` };
  }
  const ratio = r.perSec / base.perSec;
  const ok = r.complete && ratio >= factor;
  return {
    text,
    status: ok ? 'met' : 'missed',
    detail: `${fmt(ratio, 2)}× (${fmt(r.perSec)} vs ${fmt(base.perSec)} events/s)`,
  };
}

function latencyAim(runs: CaseRun[], caseId: CaseId, text: string): Aim {
  const r = figures(find(runs, caseId, 'paced'));
  const base = baselineFigures(find(runs, BASELINE, 'paced'));
  if (!base) return { text, status: 'not measured', detail: 'no complete NATS figure' };
  if (!r) return { text, status: 'missed', detail: why(find(runs, caseId, 'paced')) };
  const ok = r.complete && r.p99Ms <= base.p99Ms;
  return {
    text,
    status: ok ? 'met' : 'missed',
    detail: `p99 ${fmt(r.p99Ms, 2)} ms vs ${fmt(base.p99Ms, 2)} ms`,
  };
}

function rssAim(runs: CaseRun[], caseId: CaseId): Aim {
  const text = `${CASES[caseId].label} ≤ ${RSS_AIM_MB} MB RSS (memory burst)`;
  const run = find(runs, caseId, 'rss');
  const o = run?.outcome;
  if (!o || o.status === 'skipped') return { text, status: 'not measured', detail: o?.reason ?? 'not run' };
  const mb = o.rssPeakBytes / MB;
  if (o.status === 'ok')
    return { text, status: mb <= RSS_AIM_MB ? 'met' : 'missed', detail: `${fmt(mb)} MB` };
  if (mb > RSS_AIM_MB || o.status === 'died')
    return { text, status: 'missed', detail: `≥ ${fmt(mb)} MB, ${o.reason}` };
  return { text, status: 'not measured', detail: `${fmt(mb)} MB so far, ${o.reason}` };
}

const find = (runs: CaseRun[], caseId: CaseId, shape: ShapeId): CaseRun | undefined =>
  runs.find((r) => r.caseId === caseId && r.shape === shape);

const why = (run: CaseRun | undefined): string =>
  run === undefined ? 'not run' : run.outcome.status === 'ok' ? 'incomplete' : run.outcome.reason;

/** The issue's aims for the cases and shapes this run measured (each against NATS of the same run). */
export function aims(runs: CaseRun[]): Aim[] {
  const list: [CaseId, ShapeId, () => Aim][] = [
    [
      'embedded-default',
      'burst',
      () => throughputAim(runs, 'embedded-default', 3, 'embedded default ≥ 3× NATS events/s (burst)'),
    ],
    [
      'embedded-default',
      'paced',
      () => latencyAim(runs, 'embedded-default', 'embedded default paced p99 ≤ NATS p99'),
    ],
    [
      'embedded-fsync-always',
      'burst',
      () =>
        throughputAim(runs, 'embedded-fsync-always', 1, 'embedded fsync always ≥ 1× NATS events/s (burst)'),
    ],
    [
      'remote-iggy-embedded',
      'burst',
      () =>
        throughputAim(
          runs,
          'remote-iggy-embedded',
          1.5,
          'remote → iggy-embedded ≥ 1.5× NATS events/s (burst)',
        ),
    ],
    ...IGGY_MODES.map((id): [CaseId, ShapeId, () => Aim] => [id, 'rss', () => rssAim(runs, id)]),
  ];
  return list
    .filter(([id, shape]) => {
      const run = find(runs, id, shape);
      return run !== undefined && run.outcome.status !== 'skipped';
    })
    .map(([, , aim]) => aim());
}

/**
 * A table per shape of `runs` (one per case × shape: with several rounds, their median ones); `rounds`,
 * when given, are all the rounds, whose figures a last column lists.
 */
export function printTables(runs: CaseRun[], shapes: Shape[], rounds?: CaseRun[]): void {
  for (const shape of shapes) {
    const rows = runs.filter((r) => r.shape === shape.id);
    if (rows.length === 0) continue;
    const baseline = find(runs, BASELINE, shape.id);
    console.log(`\n${shape.title}`);
    if (rows.some((r) => r.outcome.status !== 'ok' && r.outcome.status !== 'skipped')) {
      console.log('(~ events/s up to a timeout or death; ≥ the RSS peak up to then)');
    }
    if (rounds)
      console.log(`(the median of the rounds; last column: ${ROUND_FIGURE[shape.id]} in each round)`);
    const extra = (r: CaseRun): string[] => (rounds ? [perRound(rounds, r.caseId, shape.id)] : []);
    console.log(
      table(
        rows.map((r) => [...row(r, baseline), ...extra(r)]),
        rounds !== undefined,
      ),
    );
  }
}

const ROUND_FIGURE: Record<ShapeId, string> = {
  burst: '×NATS events/s of the same round',
  paced: '×NATS p99 of the same round',
  rss: 'RSS MB',
};

export function printAims(list: Aim[], rounds = 1): void {
  if (list.length === 0) return;
  console.log(`\naims (issue 11), ${rounds > 1 ? `the median of ${rounds} rounds` : 'this run'}:`);
  const width = Math.max(...list.map((a) => a.text.length));
  for (const aim of list) console.log(`  ${aim.status.padEnd(12)} ${aim.text.padEnd(width)}  ${aim.detail}`);
}
