import { describe, expect, it } from '@jest/globals';
import type { Outcome } from '../../../bench/nest/case-process.js';
import type { CaseId } from '../../../bench/nest/cases.js';
import type { CaseRun } from '../../../bench/nest/report.js';
import { medianRuns, perRound } from '../../../bench/nest/rounds.js';
import type { ShapeId } from '../../../bench/nest/shapes.js';

const MB = 1024 * 1024;

function ok(perSec: number, p99Ms: number, rssMb = 100): Outcome {
  return {
    status: 'ok',
    result: {
      events: 10,
      handled: 10,
      failedEmits: 0,
      complete: true,
      durationMs: 1,
      perSec,
      p50Ms: 1,
      p99Ms,
    },
    rssPeakBytes: rssMb * MB,
  };
}

const timedOut: Outcome = {
  status: 'timeout',
  reason: 'over budget',
  progress: { measuring: true, handled: 5, measuredMs: 10 },
  rssPeakBytes: MB,
};

const run = (caseId: CaseId, shape: ShapeId, round: number, outcome: Outcome): CaseRun => ({
  caseId,
  shape,
  round,
  outcome,
});

describe('bench:nest rounds', () => {
  const runs: CaseRun[] = [
    run('embedded-default', 'burst', 0, ok(60_000, 1)),
    run('nats', 'burst', 0, ok(50_000, 1)),
    run('embedded-default', 'burst', 1, ok(90_000, 1)),
    run('nats', 'burst', 1, ok(45_000, 1)),
    run('embedded-default', 'burst', 2, ok(70_000, 1)),
    run('nats', 'burst', 2, timedOut),
    run('embedded-default', 'paced', 0, ok(5_000, 3)),
    run('embedded-default', 'paced', 1, timedOut),
    run('embedded-default', 'paced', 2, ok(5_000, 1)),
    run('remote-iggy-embedded', 'rss', 0, timedOut),
    run('remote-iggy-embedded', 'rss', 1, timedOut),
  ];

  it("takes each case × shape's median round among those that measured, the first when none did", () => {
    const medians = medianRuns(runs);
    expect(medians.map((r) => [r.caseId, r.shape, r.round])).toEqual([
      ['embedded-default', 'burst', 2], // 60k, 70k, 90k
      ['nats', 'burst', 1], // 45k, 50k: the lower middle one; the timed-out round is not ranked
      ['embedded-default', 'paced', 2], // p99 1 and 3 ms: the lower
      ['remote-iggy-embedded', 'rss', 0],
    ]);
  });

  it('lists the figure of every round against NATS of the same round, or what happened to it', () => {
    expect(perRound(runs, 'embedded-default', 'burst')).toBe('1.20 2.00 ?');
    expect(perRound(runs, 'remote-iggy-embedded', 'rss')).toBe('timeout timeout');
    expect(perRound(runs, 'embedded-default', 'paced')).toBe('? timeout ?');
  });
});
