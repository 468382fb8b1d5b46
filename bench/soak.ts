/**
 * Soak run (on demand: `npm run bench:soak`, `SOAK_MS` to change its 10 minutes): the sample app under
 * mixed load for a long time, with faults, counting what was lost.
 *
 * - the broker: the `iggy-embedded` CLI (fsync default), killed (SIGKILL) and restarted once at half time;
 * - two sample app instances in remote mode (both consumer groups, `billing` and `notifications`) taking
 *   the HTTP load, a third joining the groups at 30 % and leaving at 60 %;
 * - orders from 50 tenants, 2 % of them poison (billing fails them: retries, then the DLQ), and a
 *   request/reply quote every 500 ms.
 * Prints per 30 s window the p99 of an order's POST and of a quote, and every process's RSS; at the end
 * acknowledged, handled per group, lost (must be 0), duplicates, dead letters.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
const DURATION_MS = Number(process.env.SOAK_MS ?? 600_000);
const WINDOW_MS = Math.min(30_000, DURATION_MS / 10);
const TENANTS = 50;
const ORDER_EVERY_MS = 25;
const POISON_RATE = 0.02;
const GROUPS = ['billing', 'notifications'] as const;

interface Proc {
  name: string;
  child: ChildProcess;
  output: string;
}

function start(
  name: string,
  args: string[],
  env: Record<string, string>,
  ready: RegExp,
): Promise<[Proc, RegExpExecArray]> {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const proc: Proc = { name, child, output: '' };
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${name} did not start:\n${proc.output.slice(-2000)}`)),
      60_000,
    );
    const onData = (chunk: Buffer): void => {
      proc.output = (proc.output + chunk.toString('utf8')).slice(-20_000);
      const match = ready.exec(proc.output);
      if (match) {
        clearTimeout(timer);
        resolvePromise([proc, match]);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${name} exited (${code}):\n${proc.output.slice(-2000)}`)));
  });
}

function stop(proc: Proc, signal: NodeJS.Signals): Promise<void> {
  return new Promise((done) => {
    if (proc.child.exitCode !== null || proc.child.signalCode !== null) return done();
    proc.child.once('exit', () => done());
    proc.child.kill(signal);
    setTimeout(() => proc.child.kill('SIGKILL'), 20_000).unref();
  });
}

function rssMiB(proc: Proc): number {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${proc.child.pid}/status`, 'utf8'))?.[1];
    return kb ? Math.round(Number(kb) / 1024) : 0;
  } catch {
    return 0;
  }
}

function p99(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))]!);
}

async function post(port: number, path: string, body: unknown): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  try {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    await res.text();
    return { status: res.status, ms: performance.now() - started };
  } catch {
    return { status: 0, ms: performance.now() - started };
  }
}

interface App {
  proc: Proc;
  port: number;
  journal: string;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'nestjs-iggy-soak-'));
  const brokerArgs = (port: number) => [
    'dist/lib/cli/iggy-embedded.js',
    '--data-dir',
    join(dir, 'broker'),
    '--tcp-port',
    String(port),
    '--no-http',
    '--with-default-root-credentials',
  ];
  const first = await start('broker', brokerArgs(0), {}, /TCP listening on [^\s]+:(\d+)/);
  let broker = first[0];
  const brokerPort = Number(first[1][1]);
  const startApp = async (instance: string): Promise<App> => {
    const journal = join(dir, `${instance}.jsonl`);
    const [proc, ready] = await start(
      instance,
      ['dist/sample-app/main.js'],
      {
        PORT: '0',
        IGGY_MODE: 'remote',
        IGGY_ADDRESSES: `127.0.0.1:${brokerPort}`,
        SAMPLE_INSTANCE: instance,
        SAMPLE_JOURNAL: journal,
        SAMPLE_SQLITE_FILE: join(dir, `${instance}.sqlite`),
      },
      /SAMPLE_APP_READY (\{.*\})/,
    );
    return { proc, port: (JSON.parse(ready[1]!) as { http: number }).http, journal };
  };
  const apps: App[] = [await startApp('A'), await startApp('B')];
  const journals = apps.map((a) => a.journal);
  const live = new Set(apps);

  const acked = new Map<string, boolean>(); // order id → poison
  let refused = 0;
  let orderLatencies: number[] = [];
  let quoteLatencies: number[] = [];
  let quotesOk = 0;
  let quotesFailed = 0;
  const windows: string[] = [];
  const began = Date.now();
  let seq = 0;
  let events: string[] = [];
  // Orders and quotes go to A and B, which run throughout (an order acknowledged by C would wait in C's
  // outbox until C came back); C only joins and leaves the consumer groups.
  const pick = (): App => apps[seq % apps.length]!;

  const orders = setInterval(() => {
    const n = seq++;
    const tenant = `tenant-${n % TENANTS}`;
    const id = `o-${n}`;
    const poison = Math.random() < POISON_RATE;
    const body = {
      tenantId: tenant,
      orderId: id,
      items: [{ sku: 'book', quantity: 1 }],
      total: 12.5,
      poison,
    };
    void post(pick().port, '/orders', body).then(({ status, ms }) => {
      orderLatencies.push(ms);
      if (status === 201) acked.set(id, poison);
      else refused++;
    });
  }, ORDER_EVERY_MS);
  const quotes = setInterval(() => {
    void post(pick().port, '/quotes', { tenantId: 'tenant-0', items: [{ sku: 'book', quantity: 2 }] }).then(
      ({ status, ms }) => {
        quoteLatencies.push(ms);
        if (status >= 200 && status < 300) quotesOk++;
        else quotesFailed++;
      },
    );
  }, 500);
  const sampler = setInterval(() => {
    const at = Math.round((Date.now() - began) / 1000);
    const rss = [broker, ...[...live].map((a) => a.proc)].map((p) => `${p.name} ${rssMiB(p)}`).join(', ');
    windows.push(
      `| ${String(at).padStart(4)} s | ${String(p99(orderLatencies)).padStart(5)} | ${String(p99(quoteLatencies)).padStart(5)} | ${rss} MiB | ${events.join('; ')}`,
    );
    process.stdout.write(`${windows[windows.length - 1]}\n`);
    orderLatencies = [];
    quoteLatencies = [];
    events = [];
  }, WINDOW_MS);

  const at = (fraction: number): Promise<void> =>
    new Promise((r) => setTimeout(r, Math.max(0, began + DURATION_MS * fraction - Date.now())));
  await at(0.3);
  const joiner = await startApp('C');
  journals.push(joiner.journal);
  live.add(joiner);
  events.push('C joined');
  await at(0.5);
  await stop(broker, 'SIGKILL');
  events.push('broker killed');
  [broker] = await start('broker', brokerArgs(brokerPort), {}, /TCP listening on/);
  events.push('broker restarted');
  await at(0.6);
  live.delete(joiner);
  await stop(joiner.proc, 'SIGTERM');
  events.push('C left');
  await at(1);
  clearInterval(orders);
  clearInterval(quotes);

  // Drain: every acknowledged order handled by both groups (billing: or dead-lettered).
  const handled = (): Map<string, Map<string, number>> => {
    const by = new Map<string, Map<string, number>>(GROUPS.map((g) => [g, new Map()]));
    for (const file of journals) {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        continue;
      }
      for (const line of text.split('\n')) {
        if (!line) continue;
        const e = JSON.parse(line) as { group: string; phase: string; type: string; orderId: string };
        if (e.phase !== 'handled' || e.type !== 'order.created') continue;
        const counts = by.get(e.group);
        counts?.set(e.orderId, (counts.get(e.orderId) ?? 0) + 1);
      }
    }
    return by;
  };
  const deadLetters = async (): Promise<number> => {
    const res = await fetch(`http://127.0.0.1:${apps[0]!.port}/dlq?status=all&group=billing`);
    return ((await res.json()) as unknown[]).length;
  };
  const missing = (by: Map<string, Map<string, number>>): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const group of GROUPS) {
      const seen = by.get(group)!;
      out[group] = [...acked].filter(
        ([id, poison]) => !(group === 'billing' && poison) && !seen.has(id),
      ).length;
    }
    return out;
  };
  const drainUntil = Date.now() + 120_000;
  while (Date.now() < drainUntil && Object.values(missing(handled())).some((n) => n > 0)) {
    await new Promise((r) => setTimeout(r, 1_000));
  }
  clearInterval(sampler);
  const by = handled();
  const lost = missing(by);
  const poisoned = [...acked.values()].filter(Boolean).length;
  const dlq = await deadLetters();
  const duplicates = Object.fromEntries(
    GROUPS.map((g) => [g, [...by.get(g)!.values()].reduce((n, c) => n + c - 1, 0)]),
  );

  process.stdout.write(
    `\nsoak: ${Math.round(DURATION_MS / 1000)} s, ${TENANTS} tenants, an order every ${ORDER_EVERY_MS} ms\n`,
  );
  process.stdout.write('| at | order POST p99 ms | quote p99 ms | RSS | events |\n');
  process.stdout.write(`acknowledged orders: ${acked.size} (refused: ${refused}), poison: ${poisoned}\n`);
  for (const g of GROUPS) {
    process.stdout.write(`${g}: handled ${by.get(g)!.size}, lost ${lost[g]}, duplicates ${duplicates[g]}\n`);
  }
  process.stdout.write(`dead letters (billing): ${dlq} (poison acknowledged: ${poisoned})\n`);
  process.stdout.write(`quotes: ${quotesOk} answered, ${quotesFailed} failed\n`);
  process.stdout.write(`lost = ${lost.billing! + lost.notifications!}\n`);

  for (const app of live) await stop(app.proc, 'SIGTERM');
  await stop(broker, 'SIGTERM');
  rmSync(dir, { recursive: true, force: true });
  process.exitCode = lost.billing! + lost.notifications! === 0 ? 0 : 1;
}

main().catch((error: unknown) => {
  process.stderr.write(
    `soak failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
