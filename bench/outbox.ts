/**
 * The transactional outbox against plain `emit`, in the same run, on SQLite (libsql, WAL) and on a real
 * PostgreSQL (a throwaway cluster, durable commits): each transaction writes an order row, then
 * - plain emit: commits, then publishes the event through the connector itself;
 * - outbox: writes the event with `publishInTx` in the same transaction; the relay publishes it.
 * A subscriber (1 ms poll) on the embedded broker is the "handler". Reported: events/s end to end
 * (first write → last event handled) with writers as fast as they go, and p50/p99 commit → handler
 * latency at a steady 1,000 events/s.
 *
 * Run: `npm run bench:outbox` (PostgreSQL from Debian's packages must be installed; skipped otherwise).
 */
import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToEventLoop, setTimeout as sleep } from 'node:timers/promises';
import { envelopeToMessage } from '../lib/events/envelope-message.js';
import { createEnvelope } from '../lib/events/event-envelope.js';
import { JsonSerializer } from '../lib/events/json-serializer.js';
import { OutboxRelay } from '../lib/outbox/outbox-relay.js';
import { TransactionalEventBus } from '../lib/outbox/transactional-event-bus.js';
import { BrokerHarness, type Collector } from '../test/outbox/broker-harness.js';
import { pgEnv, sqliteEnv, type OutboxDbEnv } from '../test/outbox/db-envs.js';
import { findPostgresBin, startPostgres, type PostgresCluster } from '../test/support/postgres.js';

const TENANTS = 20;
const THROUGHPUT_EVENTS = Number(process.env.OUTBOX_BENCH_EVENTS ?? 20_000);
const RATE = 1000;
const LATENCY_SECONDS = Number(process.env.OUTBOX_BENCH_SECONDS ?? 5);
/** PostgreSQL writers in parallel (one transaction each at a time). */
const PG_WRITERS = 16;

type Path = 'plain emit' | 'outbox';

interface Db {
  name: string;
  writers: number;
  open(): Promise<OutboxDbEnv<unknown>>;
}

interface Run {
  env: OutboxDbEnv<unknown>;
  broker: BrokerHarness;
  collector: Collector;
  relay: OutboxRelay | undefined;
  /** One transaction: an order row and its event; resolves at commit (plain emit: after the publish). */
  write(i: number, onCommit: (id: string) => void): Promise<void>;
  close(): Promise<void>;
}

const serializer = new JsonSerializer();

async function open(db: Db, path: Path): Promise<Run> {
  const env = await db.open();
  const broker = new BrokerHarness(8);
  await broker.start();
  const collector = await broker.collect();
  const bus = new TransactionalEventBus(env.store);
  const relay =
    path === 'outbox' ? new OutboxRelay({ store: env.store, connector: broker.connector, bus }) : undefined;
  await relay?.start();
  const write = async (i: number, onCommit: (id: string) => void): Promise<void> => {
    const tenant = `tenant-${i % TENANTS}`;
    const payload = { orderId: `o-${i}`, total: i, items: [{ sku: 'A-1', qty: 2 }] };
    if (path === 'outbox') {
      const envelope = await env.withTx(async (txn) => {
        await env.insertOrder(txn, `o-${i}`, tenant);
        return bus.publishInTx(txn, tenant, null, { type: 'order.created', payload });
      });
      onCommit(envelope.id);
      return;
    }
    await env.withTx((txn) => env.insertOrder(txn, `o-${i}`, tenant));
    const envelope = createEnvelope({ tenantId: tenant, type: 'order.created', payload });
    onCommit(envelope.id);
    await broker.connector.publish(envelopeToMessage(envelope, serializer));
  };
  return {
    env,
    broker,
    collector,
    relay,
    write,
    async close() {
      await relay?.stop();
      await collector.close();
      await broker.stop();
      await env.close();
    },
  };
}

/** Writers as fast as they go; events/s from the first write until the last event was handled. */
async function throughput(db: Db, path: Path): Promise<number> {
  const run = await open(db, path);
  try {
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: db.writers }, async () => {
        while (next < THROUGHPUT_EVENTS) await run.write(next++, () => undefined);
      }),
    );
    const all = await run.collector.waitFor(THROUGHPUT_EVENTS, 120_000);
    return THROUGHPUT_EVENTS / ((all[THROUGHPUT_EVENTS - 1]!.at - started) / 1000);
  } finally {
    await run.close();
  }
}

/** A steady `RATE` of transactions; commit → handler latency of each event, ms, sorted. */
async function latency(db: Db, path: Path): Promise<number[]> {
  const run = await open(db, path);
  try {
    const total = RATE * LATENCY_SECONDS;
    const committed = new Map<string, number>();
    const onCommit = (id: string): void => void committed.set(id, performance.now());
    const inFlight: Promise<void>[] = [];
    const started = performance.now();
    let lag = 0;
    for (let i = 0; i < total; i++) {
      const due = started + (i * 1000) / RATE;
      const wait = due - performance.now();
      // Behind schedule, still let the event loop turn between transactions (as requests arriving over
      // the network do): a catch-up loop of microtasks alone would starve the relay's timers, not the
      // plain path (which publishes inline), and measure that instead of the outbox.
      if (wait > 1) await sleep(wait);
      else await yieldToEventLoop();
      const write = run.write(i, onCommit);
      if (db.writers === 1)
        await write; // one SQLite connection: transactions one after another
      else inFlight.push(write);
      lag = Math.max(lag, performance.now() - due);
    }
    await Promise.all(inFlight);
    const handled = await run.collector.waitFor(total, 60_000);
    if (lag > 100)
      console.warn(`  (${db.name} ${path}: the writer fell ${lag.toFixed(0)} ms behind the schedule)`);
    return handled.map((d) => d.at - committed.get(d.id)!).sort((a, b) => a - b);
  } finally {
    await run.close();
  }
}

const pct = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
const f = (n: number, digits = 1): string => n.toFixed(digits);

async function bench(db: Db): Promise<string[]> {
  const rate: Record<Path, number> = { 'plain emit': 0, outbox: 0 };
  const lat: Record<Path, number[]> = { 'plain emit': [], outbox: [] };
  for (const path of ['plain emit', 'outbox'] as const) rate[path] = await throughput(db, path);
  for (const path of ['plain emit', 'outbox'] as const) lat[path] = await latency(db, path);
  return (['plain emit', 'outbox'] as const).map((path) =>
    [
      db.name.padEnd(26),
      path.padEnd(11),
      f(rate[path], 0).padStart(9),
      f(rate[path] / rate['plain emit'], 2).padStart(7),
      f(pct(lat[path], 0.5), 2).padStart(8),
      f(pct(lat[path], 0.99), 2).padStart(8),
      f(lat[path].at(-1) ?? 0, 1).padStart(8),
    ].join('  '),
  );
}

async function main(): Promise<void> {
  const dbs: Db[] = [{ name: 'SQLite (libsql, WAL)', writers: 1, open: () => sqliteEnv() }];
  let cluster: PostgresCluster | undefined;
  if (findPostgresBin()) {
    cluster = await startPostgres({ durable: true });
    let n = 0;
    dbs.push({
      name: 'PostgreSQL (pg, durable)',
      writers: PG_WRITERS,
      open: async () => pgEnv(await cluster!.createDatabase(`bench_${++n}`), { poolSize: PG_WRITERS }),
    });
  } else {
    console.warn('PostgreSQL not installed: only SQLite is measured');
  }
  try {
    console.log(
      `outbox vs plain emit: ${THROUGHPUT_EVENTS} events for throughput (${TENANTS} tenants), ` +
        `${RATE}/s for ${LATENCY_SECONDS} s for latency; node ${process.version}`,
    );
    console.log(
      [
        'database'.padEnd(26),
        'path'.padEnd(11),
        'events/s'.padStart(9),
        'ratio'.padStart(7),
        'p50 ms'.padStart(8),
        'p99 ms'.padStart(8),
        'max ms'.padStart(8),
      ].join('  '),
    );
    for (const db of dbs) for (const line of await bench(db)) console.log(line);
  } finally {
    await cluster?.stop();
  }
}

await main();
