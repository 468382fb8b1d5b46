/*
 * Runs one case under one shape in its own Node process (`case-child.ts`) and says how it went: its
 * figures, or that it died (heap out of memory, say) or ran out of its time budget — with its progress
 * up to then — never a crash of the bench.
 */
import { fork, type ChildProcess } from 'node:child_process';
import type { ChildReport, ChildSpec, Progress } from './case-child.js';
import { treePeakRss } from '../support/broker-processes.js';
import { fmt } from '../support/measure.js';
import type { LoadResult } from './load.js';

export type Outcome =
  | { status: 'ok'; result: LoadResult; rssPeakBytes: number }
  | { status: 'timeout' | 'died' | 'failed'; reason: string; progress: Progress; rssPeakBytes: number }
  | { status: 'skipped'; reason: string };

const CHILD = new URL('./case-child.js', import.meta.url);
const running = new Set<ChildProcess>();

/** Kills the children still running (the bench is being interrupted). */
export function stopChildren(): void {
  for (const child of running) child.kill('SIGKILL');
}
const OUTPUT_TAIL = 3_000;

/** Why a child that exited without a result died, from its exit and the tail of its output. */
function deathReason(code: number | null, signal: NodeJS.Signals | null, output: string): string {
  if (/heap out of memory/i.test(output)) return 'died: JavaScript heap out of memory';
  const last = output.trim().split('\n').slice(-3).join(' | ');
  return `died (${signal ?? `exit ${code}`})${last ? `: ${last}` : ''}`;
}

export function runInChild(spec: ChildSpec): Promise<Outcome> {
  const child = fork(CHILD, [], {
    env: { ...process.env, BENCH_NEST_CHILD: JSON.stringify(spec) },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    serialization: 'json',
  });
  running.add(child);
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-OUTPUT_TAIL);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let last: { progress: Progress; rssPeakBytes: number } = {
    progress: { measuring: false, handled: 0, measuredMs: 0 },
    rssPeakBytes: 0,
  };
  let final: Outcome | undefined;
  return new Promise((resolve) => {
    const budget = setTimeout(() => {
      const { measuring, handled } = last.progress;
      const where = measuring ? `${fmt(handled)} of ${fmt(spec.shape.events)} handled` : 'still warming up';
      const reason = `timed out after ${Math.round(spec.shape.budgetMs / 1000)} s (${where})`;
      // Read from /proc: a child whose event loop is saturated stops sampling its own RSS.
      const rssPeakBytes = Math.max(last.rssPeakBytes, treePeakRss(child.pid!) ?? 0);
      final ??= { status: 'timeout', reason, progress: last.progress, rssPeakBytes };
      child.kill('SIGKILL');
    }, spec.shape.budgetMs);
    child.on('message', (report: ChildReport) => {
      if (report.type === 'progress') last = { progress: report.progress, rssPeakBytes: report.rssPeakBytes };
      else if (report.type === 'result')
        final ??= { status: 'ok', result: report.result, rssPeakBytes: report.rssPeakBytes };
      else final ??= { status: 'failed', reason: report.message.split('\n')[0]!, ...last };
    });
    child.on('exit', (code, signal) => {
      clearTimeout(budget);
      running.delete(child);
      resolve(final ?? { status: 'died', reason: deathReason(code, signal, output), ...last });
    });
  });
}
