/*
 * The sample app's transactional outbox, end to end: the app runs as a real process (dist/sample-app),
 * `POST /orders` writes the order row and `order.created` in one transaction, the relay inside the app
 * publishes it. The same scenarios run on SQLite (the default) and on a throwaway PostgreSQL cluster.
 * What reached Iggy is read back from the broker's data dir once its process has stopped.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Database from 'libsql';
import pg from 'pg';
import { EmbeddedConnector } from '../../lib/connectors/embedded-connector.js';
import { readEventMeta } from '../../lib/events/envelope-headers.js';
import { BrokerProcess, cleanUp, eventually, SampleAppProcess, tempDir } from '../support/app-process.js';
import { ensureBuilt } from '../support/build-once.js';
import { describeWithPostgres } from '../support/postgres-suite.js';
import { startPostgres, type PostgresCluster } from '../support/postgres.js';
import { appEnvIn, handled, order, readJournal, type JournalEntry } from './e2e-kit.js';

const OUTBOX = 'nestjs_iggy_outbox';
const GROUPS = ['billing', 'notifications'];

interface OutboxRow {
  id: string;
  tenant: string;
  status: number;
}

/** A fresh database for one scenario: the app's env and a look into its outbox table. */
interface ScenarioDb {
  env: Record<string, string>;
  outbox(): Promise<OutboxRow[]>;
  close(): Promise<void>;
}

interface DbKind {
  name: string;
  fresh(dir: string): Promise<ScenarioDb>;
}

const sqlite: DbKind = {
  name: 'SQLite',
  async fresh(dir) {
    const file = join(dir, 'sample.sqlite');
    return {
      env: { SAMPLE_SQLITE_FILE: file },
      async outbox() {
        const db = new Database(file);
        try {
          return db.prepare(`SELECT id, tenant, status FROM ${OUTBOX} ORDER BY seq`).all() as OutboxRow[];
        } finally {
          db.close();
        }
      },
      close: async () => undefined,
    };
  },
};

let cluster: PostgresCluster | undefined;
let databases = 0;
const postgres: DbKind = {
  name: 'PostgreSQL',
  async fresh() {
    const url = await cluster!.createDatabase(`shop_${++databases}`);
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    return {
      env: { DATABASE_URL: url },
      async outbox() {
        const { rows } = await pool.query<OutboxRow>(`SELECT id, tenant, status FROM ${OUTBOX} ORDER BY seq`);
        return rows;
      },
      close: () => pool.end(),
    };
  },
};

/** An `order.created` message found in the domain topic. */
interface Published {
  id: string;
  tenant: string;
  orderId: string;
  partition: number;
  offset: bigint;
}

/** Every `order.created` in the `shop` stream's domain topic of a broker data dir (its process stopped). */
async function publishedOrders(dataDir: string): Promise<Published[]> {
  const connector = new EmbeddedConnector();
  await connector.connect({
    streamName: 'shop',
    topicName: 'domain',
    embedded: { dataDir, persistent: true, tcpPort: null, httpPort: null },
  });
  const found: Published[] = [];
  try {
    const topic = await connector.getTopic('shop', 'domain');
    for (const [index, partition] of (topic?.partitions ?? []).entries()) {
      const count = Number(partition.messagesCount);
      if (count === 0) continue;
      const subscriber = await connector.subscribe('shop', 'domain', index, {
        startFrom: 'beginning',
        consumerName: 'outbox-e2e-reader',
        batchSize: 1000,
        pollIntervalMs: 5,
      });
      for (let i = 0; i < count; i++) {
        const message = await subscriber.recv();
        if (!message) break;
        const meta = readEventMeta(message);
        if (meta.type !== 'order.created') continue;
        const payload = JSON.parse(message.payload.toString('utf8')) as { orderId: string };
        found.push({
          id: meta.id,
          tenant: meta.tenantId,
          orderId: payload.orderId,
          partition: index,
          offset: message.offset,
        });
      }
      await subscriber.close();
    }
  } finally {
    await connector.shutdown();
  }
  return found;
}

/** Placed orders, in posting order: order id → event id. */
type Placed = Map<string, string>;

async function placeOrders(
  app: SampleAppProcess,
  tenants: string[],
  perTenant: number,
  from = 0,
): Promise<Placed> {
  const placed: Placed = new Map();
  for (let i = from; i < from + perTenant; i++) {
    for (const tenant of tenants) {
      const id = `${tenant}-${String(i).padStart(2, '0')}`;
      const reply = await app.post<{ eventId: string }>('/orders', order(tenant, id));
      expect(reply.status).toBe(201);
      placed.set(id, reply.body.eventId);
    }
  }
  return placed;
}

/** Order ids of one tenant, in the order given. */
function ofTenant(ids: Iterable<string>, tenant: string): string[] {
  return [...ids].filter((id) => id.startsWith(`${tenant}-`));
}

function everyOrderHandled(journal: string, placed: Placed, run?: string): boolean {
  const entries = readJournal(journal).filter((e) => run === undefined || e.run.startsWith(`${run}/`));
  return GROUPS.every((group) => {
    const seen = new Set(handled(entries, group).map((e) => e.orderId));
    return [...placed.keys()].every((id) => seen.has(id));
  });
}

function handledIn(entries: JournalEntry[], run: string, group: string): JournalEntry[] {
  return handled(entries, group).filter((e) => e.run.startsWith(`${run}/`));
}

/** Checks that each tenant's messages sit in the topic in posting order. */
function expectTenantOrder(published: Published[], placed: Placed, tenants: string[]): void {
  const byPosition = [...published].sort((a, b) =>
    a.partition !== b.partition ? a.partition - b.partition : a.offset < b.offset ? -1 : 1,
  );
  for (const tenant of tenants) {
    const seen = byPosition.filter((p) => p.tenant === tenant).map((p) => p.orderId);
    expect(seen).toEqual(ofTenant(placed.keys(), tenant));
  }
}

function scenarios(kind: DbKind): void {
  /** The app's env on a fresh scenario dir and database; the broker embedded, no listeners. */
  async function setUp(): Promise<{
    db: ScenarioDb;
    journal: string;
    env: Record<string, string>;
  }> {
    const dir = tempDir();
    const db = await kind.fresh(dir);
    const { journal, env } = appEnvIn(dir);
    return { db, journal, env: { ...db.env, ...env } };
  }

  it('commit → both groups handle the event; a rollback (after the outbox insert) or a duplicate order publishes nothing', async () => {
    const { db, journal, env } = await setUp();
    const app = await SampleAppProcess.start({ ...env, SAMPLE_INSTANCE: 'one' });
    const tenants = ['acme', 'globex', 'initech'];
    const placed = await placeOrders(app, tenants, 4);

    const failed = await app.post<{ message: string }>(
      '/orders',
      order('acme', 'acme-failed', { failAfterInsert: true }),
    );
    expect(failed.status).toBe(422);
    const duplicate = await app.post('/orders', order('acme', 'acme-00', { total: 99 }));
    expect(duplicate.status).toBe(409);

    await eventually('every order handled by both groups', () => everyOrderHandled(journal, placed), 40_000);
    // The relay had every chance to publish the rolled-back event too.
    await new Promise((r) => setTimeout(r, 500));
    const entries = readJournal(journal);
    for (const group of GROUPS) {
      const ids = handled(entries, group).map((e) => e.orderId);
      expect(ids.filter((id) => id === 'acme-failed')).toEqual([]);
      expect(ids.filter((id) => id === 'acme-00')).toEqual(['acme-00']);
      expect(handled(entries, group).every((e) => e.eventId === placed.get(e.orderId))).toBe(true);
    }
    expect((await app.get('/orders/acme/acme-failed')).status).toBe(404);
    const stored =
      await app.get<{ order: { orderId: string; total: number }; eventId: string }[]>('/orders/acme');
    expect(stored.body.map((s) => s.order.orderId)).toEqual(ofTenant(placed.keys(), 'acme'));
    expect(stored.body[0]).toMatchObject({ order: { total: 12.5 }, eventId: placed.get('acme-00') });

    const rows = await db.outbox();
    expect(rows.map((r) => r.id)).toEqual([...placed.values()]);
    expect(rows.every((r) => Number(r.status) === 1)).toBe(true);
    await app.stop();

    const published = await publishedOrders(env.IGGY_DATA_DIR);
    expect(published.map((p) => p.id).sort()).toEqual([...placed.values()].sort());
    expectTenantOrder(published, placed, tenants);
    await db.close();
  }, 90_000);

  it('killed after commit, before the relay published: after a restart every event is delivered', async () => {
    const { db, journal, env } = await setUp();
    // This instance writes but does not relay: the events stay in the outbox, as when the process dies
    // between commit and publish.
    const writer = await SampleAppProcess.start({
      ...env,
      SAMPLE_INSTANCE: 'writer',
      SAMPLE_OUTBOX_RELAY: 'off',
    });
    const tenants = ['acme', 'globex'];
    const placed = await placeOrders(writer, tenants, 3);
    await new Promise((r) => setTimeout(r, 300));
    expect(readJournal(journal)).toEqual([]);
    expect((await db.outbox()).map((r) => Number(r.status))).toEqual([0, 0, 0, 0, 0, 0]);
    expect(await writer.stop('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });

    const restarted = await SampleAppProcess.start({ ...env, SAMPLE_INSTANCE: 'restarted' });
    await eventually(
      'every order handled after the restart',
      () => everyOrderHandled(journal, placed),
      40_000,
    );
    const entries = readJournal(journal);
    for (const group of GROUPS) {
      for (const tenant of tenants) {
        const ids = handled(entries, group)
          .filter((e) => e.tenantId === tenant)
          .map((e) => e.orderId);
        expect(ids).toEqual(ofTenant(placed.keys(), tenant));
      }
    }
    await eventually('outbox published', async () =>
      (await db.outbox()).every((r) => Number(r.status) === 1),
    );
    await restarted.stop();
    await db.close();
  }, 90_000);

  it('killed after publish, before mark-published: the same ids are published again, each handled, never twice by one process', async () => {
    const { db, journal, env } = await setUp();
    const tenants = ['acme', 'globex'];
    const writer = await SampleAppProcess.start({
      ...env,
      SAMPLE_INSTANCE: 'writer',
      SAMPLE_OUTBOX_RELAY: 'off',
    });
    const placed = await placeOrders(writer, tenants, 3);
    await writer.stop();

    // TEST HOOK: this run relays the pending rows as one batch, then kills itself before marking them.
    const crashing = await SampleAppProcess.start({
      ...env,
      SAMPLE_INSTANCE: 'crashing',
      SAMPLE_TEST_CRASH_BEFORE_MARK: '1',
    }).catch((err: unknown) => err);
    // It may die before or after printing that it is ready.
    if (crashing instanceof SampleAppProcess) {
      expect(await crashing.exited).toEqual({ code: null, signal: 'SIGKILL' });
      expect(crashing.output).toMatch(/TEST HOOK: killing the process after publishing 6 outbox event/);
    } else {
      expect(String(crashing)).toMatch(/TEST HOOK: killing the process after publishing 6 outbox event/);
    }
    // Published, not marked: every row still pending.
    expect((await db.outbox()).map((r) => Number(r.status))).toEqual([0, 0, 0, 0, 0, 0]);

    const restarted = await SampleAppProcess.start({ ...env, SAMPLE_INSTANCE: 'restarted' });
    await eventually(
      'every order handled after the restart',
      () => everyOrderHandled(journal, placed),
      40_000,
    );
    await eventually('outbox published', async () =>
      (await db.outbox()).every((r) => Number(r.status) === 1),
    );
    // Let the duplicates (the second copies, later in each partition) reach the groups too.
    await new Promise((r) => setTimeout(r, 500));
    await restarted.stop();

    const published = await publishedOrders(env.IGGY_DATA_DIR);
    // At-least-once with the same ids: each event is in the topic twice, with the same envelope id.
    const copies = new Map<string, number>();
    for (const p of published) copies.set(p.id, (copies.get(p.id) ?? 0) + 1);
    expect([...copies.keys()].sort()).toEqual([...placed.values()].sort());
    expect([...copies.values()]).toEqual([...placed.values()].map(() => 2));

    // The crashed process may have handled some of the first copies in the moment between publishing and
    // its death (its consumers read the tail from memory). The durable idempotency store then drops both
    // copies in the restarted process; what the crashed one had handled but not yet recorded is handled
    // again (at-least-once). Every event handled, none twice by one process.
    const entries = readJournal(journal);
    for (const group of GROUPS) {
      const crashed = handledIn(entries, 'crashing', group).map((e) => e.orderId);
      const ids = handledIn(entries, 'restarted', group).map((e) => e.orderId);
      expect(new Set(crashed).size).toBe(crashed.length);
      expect(new Set(ids).size).toBe(ids.length);
      expect([...new Set([...crashed, ...ids])].sort()).toEqual([...placed.keys()].sort());
    }
    await db.close();
  }, 90_000);

  it('broker stopped for a while: orders are accepted, /health reports the lag, then all are published in per-tenant order', async () => {
    const dir = tempDir();
    const db = await kind.fresh(dir);
    const journal = join(dir, 'journal.jsonl');
    const brokerDir = join(dir, 'broker');
    let broker = await BrokerProcess.start(brokerDir);
    const app = await SampleAppProcess.start({
      ...db.env,
      IGGY_MODE: 'remote',
      IGGY_ADDRESSES: `127.0.0.1:${broker.port}`,
      SAMPLE_JOURNAL: journal,
    });
    const tenants = ['acme', 'globex', 'initech'];
    const before = await placeOrders(app, tenants, 2);
    await eventually('orders handled before the outage', () => everyOrderHandled(journal, before), 40_000);

    await broker.stop('SIGTERM');
    const during = await placeOrders(app, tenants, 4, 2);
    const pending = await db.outbox();
    expect(pending.filter((r) => Number(r.status) === 0).map((r) => r.id)).toEqual([...during.values()]);
    const health = await eventually(
      'health reports the outbox lag',
      async () => {
        const reply = await app.get<HealthBody>('/health');
        return reply.status === 503 && reply.body.error.iggy?.outbox?.pending === 12 && reply;
      },
      10_000,
      100,
    );
    // (The relay itself is waiting in a publish: the remote connector holds requests while it reconnects.)
    expect(health.body.error.iggy!.outbox).toMatchObject({ pending: 12, dead: 0, maxAgeMs: 60_000 });
    expect(health.body.error.iggy!.outbox!.oldestPendingAgeMs).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 1_000));

    broker = await BrokerProcess.start(brokerDir, broker.port);
    const all: Placed = new Map([...before, ...during]);
    await eventually(
      'every order handled after the broker returned',
      () => everyOrderHandled(journal, all),
      40_000,
    );
    await eventually('health up with an empty outbox', async () => {
      const reply = await app.get<{ details: { iggy: { outbox: { pending: number } } } }>('/health');
      return reply.status === 200 && reply.body.details.iggy.outbox.pending === 0;
    });
    const entries = readJournal(journal);
    for (const group of GROUPS) {
      for (const tenant of tenants) {
        const ids = handled(entries, group)
          .filter((e) => e.tenantId === tenant)
          .map((e) => e.orderId);
        expect(ids).toEqual(ofTenant(all.keys(), tenant));
      }
    }
    await app.stop();
    await broker.stop();

    const published = await publishedOrders(brokerDir);
    expect(published.map((p) => p.id).sort()).toEqual([...all.values()].sort());
    expectTenantOrder(published, all, tenants);
    await db.close();
  }, 90_000);
}

interface HealthBody {
  status: 'ok' | 'error';
  error: {
    iggy?: {
      outbox?: {
        pending: number;
        oldestPendingAgeMs: number | null;
        dead: number;
        maxAgeMs: number;
        relay: { state: string } | null;
      };
    };
  };
}

describe('sample app outbox (SQLite)', () => {
  beforeAll(ensureBuilt, 180_000);
  afterAll(cleanUp);
  scenarios(sqlite);
});

describeWithPostgres('sample app outbox (PostgreSQL)', () => {
  beforeAll(async () => {
    await ensureBuilt();
    cluster = await startPostgres();
  }, 180_000);
  afterAll(async () => {
    await cleanUp();
    await cluster?.stop();
  });
  scenarios(postgres);
});
