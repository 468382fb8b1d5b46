/**
 * `emit` → handler as a NestJS user sees it, beside Nest's own transports, in one run:
 * - Iggy through the public API (`IggyModule.forRoot`, `IggyClientProxy.emit` → `@IggyEventHandler`):
 *   embedded default (persistent data dir, default fsync), embedded `fsync: always`, remote → the
 *   `iggy-embedded` CLI run as its own process (persistent, its defaults), remote → a real Iggy server when
 *   IGGY_SERVER_ADDR is set (IGGY_SERVER_USERNAME / IGGY_SERVER_PASSWORD, default iggy/iggy);
 * - the same handler on the connector alone (`publish` → `subscribeGroup` → commit) on the embedded default;
 * - Nest NATS, Nest Redis and Nest RabbitMQ (durable queue, persistent messages): `ClientProxy.emit` →
 *   `@EventPattern`, against nats-server / redis-server / rabbitmq-server started here when installed.
 * Shapes (`shapes.ts`): a burst (events/s from the first emit to the last handler entry), a paced 5,000/s run
 * (p50/p99 from the emit call to handler entry) and a bigger burst for the RSS peak. Every case × shape runs
 * in its own Node process, so its RSS is its own and a case that runs out of heap or time is reported, not
 * fatal. The case configs are in `nest/cases.ts`.
 *
 * Run: `npm run bench:nest` (about 10 minutes), `-- --quick` for a smoke run, `-- --only nats,embedded-default`,
 * `-- --shapes burst`, `-- --rounds 3` to run everything three times and report each case's median round.
 * The last line printed is the run as JSON (`| tail -1`) to diff runs by.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fmt } from './support/measure.js';
import { BenchArgsError, parseBenchArgs, type BenchArgs } from './nest/bench-args.js';
import { Brokers } from './nest/brokers.js';
import { runInChild, stopChildren, type Outcome } from './nest/case-process.js';
import { CASES, type CaseId } from './nest/cases.js';
import { aims, printAims, printTables, type CaseRun } from './nest/report.js';
import { medianRuns } from './nest/rounds.js';
import { shapes as shapesFor, type ShapeId } from './nest/shapes.js';

const IGGY_CLI = new URL('../lib/cli/iggy-embedded.js', import.meta.url).pathname;

const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

function summary(o: Outcome): string {
  if (o.status === 'skipped') return o.reason;
  if (o.status !== 'ok') return `${o.reason}, RSS ≥ ${fmt(o.rssPeakBytes / 2 ** 20)} MB`;
  const r = o.result;
  return (
    `${fmt(r.perSec)} events/s, p50 ${fmt(r.p50Ms, 2)} ms, p99 ${fmt(r.p99Ms, 2)} ms, RSS ${fmt(o.rssPeakBytes / 2 ** 20)} MB` +
    (r.complete ? '' : `, ${fmt(r.handled)} of ${fmt(r.events)} handled`)
  );
}

async function measure(args: BenchArgs, brokers: Brokers, root: string): Promise<CaseRun[]> {
  const runs: CaseRun[] = [];
  for (const shapeId of args.shapes) {
    for (let round = 0; round < args.rounds; round++) {
      for (const caseId of args.cases)
        runs.push(await measureOne(caseId, shapeId, round, args, brokers, root));
    }
  }
  return runs;
}

/** One case under one shape, in its own child (with its own broker when it needs one). */
async function measureOne(
  caseId: CaseId,
  shapeId: ShapeId,
  round: number,
  args: BenchArgs,
  brokers: Brokers,
  root: string,
): Promise<CaseRun> {
  const runName = `${caseId}-${shapeId}${args.rounds > 1 ? `-${round + 1}` : ''}`;
  const lease = await brokers.lease(CASES[caseId].broker, runName);
  let run: CaseRun;
  if ('skipped' in lease) {
    run = { caseId, shape: shapeId, round, outcome: { status: 'skipped', reason: lease.skipped } };
  } else {
    const dataDir = mkdtempSync(join(root, `${runName}-`));
    try {
      const shape = shapesFor(args.quick)[shapeId];
      const outcome = await runInChild({ caseId, shape, at: { ...lease.at, dataDir } });
      run = { caseId, shape: shapeId, round, outcome, brokerRssPeakBytes: lease.peakRssBytes?.() };
    } finally {
      await lease.release();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  const label = args.rounds > 1 ? `${shapeId} ${round + 1}/${args.rounds}` : shapeId;
  console.log(`  ${label.padEnd(args.rounds > 1 ? 12 : 6)} ${caseId.padEnd(22)} ${summary(run.outcome)}`);
  return run;
}

async function main(): Promise<void> {
  let args: BenchArgs;
  try {
    args = parseBenchArgs(process.argv.slice(2), process.env);
  } catch (error) {
    if (!(error instanceof BenchArgsError)) throw error;
    console.error(error.message);
    process.exit(2);
  }
  const root = mkdtempSync(join(tmpdir(), 'nestjs-iggy-bench-nest-'));
  const started = new Date();
  console.log(
    `bench:nest${args.quick ? ' --quick' : ''}: ${started.toISOString()}, Node ${process.version}, ` +
      `${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, load average ${load()}`,
  );
  const brokers = await Brokers.start(
    args.cases.map((id) => CASES[id].broker),
    root,
    IGGY_CLI,
  );
  const cleanUp = async (): Promise<void> => {
    stopChildren();
    await brokers.stop();
    rmSync(root, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void cleanUp().then(() => process.exit(130)));
  let runs: CaseRun[];
  try {
    for (const line of brokers.describe()) console.log(`  ${line}`);
    runs = await measure(args, brokers, root);
  } finally {
    const peaks = brokers.sharedPeaks();
    await cleanUp();
    const described = Object.entries(peaks).map(
      ([k, v]) => `${k} ${v === undefined ? '?' : fmt(v / 2 ** 20)} MB`,
    );
    if (described.length > 0) console.log(`  shared brokers' RSS peak over the run: ${described.join(', ')}`);
  }
  const shapes = shapesFor(args.quick);
  const medians = args.rounds > 1 ? medianRuns(runs) : runs;
  printTables(
    medians,
    args.shapes.map((id) => shapes[id]),
    args.rounds > 1 ? runs : undefined,
  );
  const aimList = aims(medians);
  printAims(aimList, args.rounds);
  const seconds = (Date.now() - started.getTime()) / 1000;
  console.log(`\n${fmt(seconds)} s, load average at the end ${load()}`);
  console.log(
    JSON.stringify({
      bench: 'nest',
      at: started.toISOString(),
      node: process.version,
      cpus: cpus().length,
      quick: args.quick,
      rounds: args.rounds,
      seconds,
      runs,
      aims: aimList,
    }),
  );
}

await main();
