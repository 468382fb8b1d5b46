/*
 * The code examples of the README's "Transactional outbox" section, as real code: this file is
 * type-checked (by `npm run lint` and by the first test below), the Nest example is booted on an
 * in-memory embedded broker with TypeORM on an in-memory SQLite database, and the node-postgres and
 * TypeORM examples run against a throwaway PostgreSQL. Keep each block in step with
 * its README counterpart: a README block written at the top level of a module is the body of a function
 * here (so importing this file runs nothing), the README imports from 'nestjs-iggy' and
 * 'nestjs-iggy/connector', here the same names come from lib/.
 */
import 'reflect-metadata';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Controller, Get, Injectable, Module } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { Test, type TestingModule } from '@nestjs/testing';
import Database from 'libsql';
import pg from 'pg';
import { Column, DataSource, Entity, PrimaryColumn, type EntityManager } from 'typeorm';
import ts from 'typescript';
import { EmbeddedConnector, type ConnectorConfigInput } from '../../../lib/connectors/index.js';
import {
  IGGY_MODULE_OPTIONS,
  IggyEventHandler,
  IggyHealthIndicator,
  IggyModule,
  OUTBOX_INSERT_COLUMNS,
  OutboxPrometheusMetrics,
  OutboxRelay,
  PgOutboxStore,
  PostgresOutboxCore,
  SqliteOutboxStore,
  TransactionalEventBus,
  TypeOrmOutboxStore,
  recordValues,
  type EventEnvelope,
  type IggyConnector,
  type IggyModuleOptions,
  type OutboxRecord,
  type OutboxStore,
  type PgSession,
} from '../../../lib/index.js';
import { messageIdToUuid } from '../../../lib/protocol/messages/message-id.js';
import { startPostgres, type PostgresCluster } from '../../support/postgres.js';
import { describeWithPostgres } from '../../support/postgres-suite.js';
import { eventually, memoryConfig, recordLogs } from '../module/iggy-test-kit.js';

// ---------------------------------------------------------------------------------------------------
// What the README's examples take as given: the app's entity and DTO, and a connected connector.

@Entity('orders')
export class Order {
  @PrimaryColumn('text') id!: string;
  @Column('text') tenant!: string;
  @Column('text', { nullable: true }) tenantId?: string;
  @Column('real') total!: number;
}

export class CreateOrderDto {
  id!: string;
  tenant!: string;
  total!: number;
}

// ---------------------------------------------------------------------------------------------------
// README: "With node-postgres"

export async function withNodePostgres(): Promise<void> {
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
  // The relay's own small pool (one connection per claim, one that LISTENs): it never queues behind the
  // app's queries. publishInTx writes through your transaction's client, never through this pool.
  const store = new PgOutboxStore({
    pool: new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 3 }),
  });
  await store.ensureSchema(); // or run outboxDdl('postgres') in your migrations

  const connector = new EmbeddedConnector();
  await connector.connect({ streamName: 'shop', topicName: 'domain', partitions: 8 }); // creates shop/domain if missing

  const bus = new TransactionalEventBus(store);
  const relay = new OutboxRelay({ store, connector });
  await relay.start();

  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('INSERT INTO orders (id, tenant, total) VALUES ($1, $2, $3)', ['o-1', 'acme', 42]);
    const event = await bus.publishInTx(client, 'acme', 'user-7', {
      type: 'order.created',
      payload: { orderId: 'o-1', total: 42 },
    });
    await client.query('COMMIT'); // the relay publishes event.id now
    console.log(`order o-1 placed, event ${event.id}`);
  } catch (err) {
    await client.query('ROLLBACK'); // ...or never
    throw err;
  } finally {
    client.release();
  }

  await relay.stop(); // at shutdown, before connector.shutdown() and pool.end()
}

// ---------------------------------------------------------------------------------------------------
// README: "With TypeORM"

export async function withTypeOrm(connector: IggyConnector): Promise<void> {
  const dataSource = await new DataSource({
    type: 'postgres',
    url: process.env.DATABASE_URL,
    entities: [Order],
  }).initialize();
  // SQLite: new DataSource({ type: 'better-sqlite3', database: 'app.db', driver: require('libsql'), ... })
  const store = new TypeOrmOutboxStore({ dataSource });
  await store.ensureSchema();
  const bus = new TransactionalEventBus(store);
  const relay = new OutboxRelay({ store, connector });
  await relay.start();

  const event = await dataSource.transaction(async (manager) => {
    await manager.insert(Order, { id: 'o-1', tenant: 'acme', total: 42 });
    return bus.publishInTx(manager, 'acme', 'user-7', { type: 'order.created', payload: { orderId: 'o-1' } });
  });
  console.log(`order o-1 placed, event ${event.id}`);
}

// ---------------------------------------------------------------------------------------------------
// README: "With SQLite"

export async function withSqlite(connector: IggyConnector): Promise<void> {
  const db = new Database('./data/app.db');
  db.exec('PRAGMA journal_mode = WAL');
  const store = new SqliteOutboxStore({ database: db });
  await store.ensureSchema();
  const bus = new TransactionalEventBus(store);
  const relay = new OutboxRelay({ store, connector, bus }); // `bus`: wake up on writes (no LISTEN in SQLite)
  await relay.start();

  const placeOrder = db.transaction((id: string) => {
    db.prepare('INSERT INTO orders (id, tenant) VALUES (?, ?)').run(id, 'acme');
    return bus.publishInTxSync(db, 'acme', null, { type: 'order.created', payload: { orderId: id } });
  });
  placeOrder('o-1');
}

// ---------------------------------------------------------------------------------------------------
// README: "In a Nest application"

@Module({
  providers: [
    {
      provide: DataSource,
      useFactory: () => new DataSource({ type: 'postgres', url: process.env.DATABASE_URL }).initialize(),
    },
  ],
  exports: [DataSource],
})
export class DatabaseModule {}

@Injectable()
export class OrdersService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly bus: TransactionalEventBus<EntityManager>,
  ) {}

  placeOrder(tenantId: string, userId: string, dto: CreateOrderDto) {
    return this.dataSource.transaction(async (manager) => {
      const order = await manager.save(Order, { ...dto, tenantId });
      await this.bus.publishInTx(manager, tenantId, userId, { type: 'order.created', payload: order });
      return order;
    });
  }
}

@Module({
  imports: [
    DatabaseModule,
    IggyModule.forRootAsync({
      imports: [DatabaseModule],
      inject: [DataSource],
      useFactory: (dataSource: DataSource): IggyModuleOptions => ({
        streamName: 'shop',
        outbox: { store: new TypeOrmOutboxStore({ dataSource }) },
      }),
    }),
  ],
  providers: [OrdersService],
})
export class ShopModule {}

// README: "Health and metrics"

@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly iggy: IggyHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([() => this.iggy.isHealthy('iggy', { maxOutboxAgeMs: 30_000 })]);
  }
}

export function outboxWithMetrics(store: PgOutboxStore) {
  // `lagSource`: the gauges read the lag at scrape time (else every `lagIntervalMs`, default 10 s).
  const metrics = new OutboxPrometheusMetrics({ lagSource: store });
  const module = IggyModule.forRoot({ streamName: 'shop', outbox: { store, relay: { metrics } } });
  return { module, scrape: () => metrics.registry.metrics() }; // serve it on your /metrics
}

// ---------------------------------------------------------------------------------------------------
// README: "Duplicates: the idempotency guard and its limit"

@Injectable()
export class InvoiceHandlers {
  constructor(private readonly dataSource: DataSource) {}

  @IggyEventHandler('order.created', { group: 'billing' })
  onOrderCreated(envelope: EventEnvelope<{ orderId: string; total: number }>) {
    return this.dataSource.transaction(async (manager) => {
      const fresh: unknown[] = await manager.query(
        `INSERT INTO processed_events (consumer_group, event_id) VALUES ($1, $2)
         ON CONFLICT DO NOTHING RETURNING event_id`,
        ['billing', envelope.id],
      );
      if (fresh.length === 0) return; // a duplicate: this event was billed before
      await manager.query('INSERT INTO invoices (order_id, amount) VALUES ($1, $2)', [
        envelope.payload.orderId,
        envelope.payload.total,
      ]);
    });
  }
}

// ---------------------------------------------------------------------------------------------------
// README: "Your own store (Prisma, MikroORM, Drizzle, Knex...)"
//
// Stand-in for `import type { Knex } from 'knex'` (knex is no dependency of this repository): the
// members the example uses, typed as knex declares them (`client` is `any` there too).
// eslint-disable-next-line @typescript-eslint/no-namespace
declare namespace Knex {
  interface Transaction {
    insert(row: Record<string, unknown>): { into(table: string): Promise<number[]> };
  }
}
interface Knex {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  client: any;
}

export class KnexOutboxStore implements OutboxStore<Knex.Transaction> {
  readonly dialect = 'postgres';
  private readonly core: PostgresOutboxCore;

  constructor(knex: Knex) {
    this.core = new PostgresOutboxCore({
      // A session is one connection held until release (Knex's pool hands out pg clients).
      acquire: async (): Promise<PgSession> => {
        const client = await knex.client.acquireConnection();
        return {
          query: async (sql, params) => (await client.query(sql, params)).rows,
          release: () => knex.client.releaseConnection(client),
        };
      },
    });
  }

  async insert(trx: Knex.Transaction, record: OutboxRecord): Promise<void> {
    const values = recordValues(record);
    const row = Object.fromEntries(OUTBOX_INSERT_COLUMNS.map((column, i) => [column, values[i]]));
    await trx.insert(row).into('nestjs_iggy_outbox');
  }

  ensureSchema = () => this.core.ensureSchema();
  claim = (limit: number) => this.core.claim(limit);
  purge = (before: Date, limit: number) => this.core.purge(before, limit);
  lag = () => this.core.lag();
}

// ---------------------------------------------------------------------------------------------------
// The checks.

const here = fileURLToPath(import.meta.url);
let app: TestingModule | undefined;
beforeAll(() => void recordLogs());
afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe('README outbox examples', () => {
  it('type-check', () => {
    const configFile = resolve(dirname(here), '../../../tsconfig.json');
    const { config } = ts.readConfigFile(configFile, (path) => ts.sys.readFile(path));
    const parsed = ts.parseJsonConfigFileContent(config, ts.sys, dirname(configFile));
    const program = ts.createProgram([here], { ...parsed.options, noEmit: true });
    const problems = ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file?.fileName === here || d.file === undefined)
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(problems).toEqual([]);
  }, 120_000);

  it('the Nest example places an order and its event in one transaction (TypeORM on SQLite)', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [ShopModule] })
      .overrideProvider(DataSource)
      .useFactory({
        factory: () =>
          new DataSource({
            type: 'better-sqlite3',
            database: ':memory:',
            driver: Database,
            entities: [Order],
            synchronize: true,
          }).initialize(),
      })
      .overrideProvider(IGGY_MODULE_OPTIONS)
      .useFactory({
        factory: (dataSource: DataSource) =>
          memoryConfig({ streamName: 'shop', outbox: { store: new TypeOrmOutboxStore({ dataSource }) } }),
        inject: [DataSource],
      })
      .compile();
    app = moduleRef;
    await moduleRef.init();
    const order = await moduleRef
      .get(OrdersService)
      .placeOrder('acme', 'user-7', { id: 'o-1', tenant: 'acme', total: 42 });
    expect(order).toMatchObject({ id: 'o-1', tenantId: 'acme' });
    const relay = moduleRef.get(OutboxRelay);
    await eventually(async () => relay.stats().published === 1);
    expect(await relay.lag()).toEqual({ pending: 0, oldestPendingAgeMs: null, dead: 0 });
  });
});

describeWithPostgres('README outbox examples on PostgreSQL', () => {
  let cluster: PostgresCluster;
  let n = 0;
  /** What an example opened and left to "the rest of the app": closed after each test. */
  const opened = {
    pools: new Set<pg.Pool>(),
    sources: new Set<DataSource>(),
    relays: new Set<OutboxRelay>(),
  };
  const connectors: EmbeddedConnector[] = [];

  beforeAll(async () => {
    cluster = await startPostgres();
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    for (const relay of opened.relays) await relay.stop();
    for (const connector of connectors.splice(0)) await connector.shutdown();
    for (const source of opened.sources) await source.destroy();
    for (const pool of opened.pools) if (!pool.ending) await pool.end();
    opened.relays.clear();
    opened.sources.clear();
    opened.pools.clear();
    delete process.env.DATABASE_URL;
  });

  /** A fresh database as `DATABASE_URL`, with the app's `orders` table. */
  async function database(): Promise<void> {
    process.env.DATABASE_URL = await cluster.createDatabase(`readme_${++n}`);
    const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 1 });
    await pool.query(
      'CREATE TABLE orders (id text PRIMARY KEY, tenant text NOT NULL, "tenantId" text, total real)',
    );
    await pool.end();
  }

  function trackOpened(): void {
    const connect = pg.Pool.prototype.connect;
    jest.spyOn(pg.Pool.prototype, 'connect').mockImplementation(function (this: pg.Pool, ...args: unknown[]) {
      opened.pools.add(this);
      return (connect as (...a: unknown[]) => unknown).apply(this, args) as never;
    });
    const initialize = DataSource.prototype.initialize;
    jest.spyOn(DataSource.prototype, 'initialize').mockImplementation(function (this: DataSource) {
      opened.sources.add(this);
      return initialize.call(this);
    });
    const start = OutboxRelay.prototype.start;
    jest.spyOn(OutboxRelay.prototype, 'start').mockImplementation(function (this: OutboxRelay) {
      opened.relays.add(this);
      return start.call(this);
    });
  }

  /** The envelope ids that reached the broker behind `connector` (every partition, from the start). */
  async function publishedOn(connector: IggyConnector, count: number): Promise<string[]> {
    const ids: string[] = [];
    for (let p = 0; p < 8; p++) {
      const sub = await connector.subscribe('shop', 'domain', p, {
        startFrom: 'beginning',
        consumerName: 'check',
      });
      try {
        for (;;) {
          const message = await Promise.race([
            sub.recv(),
            new Promise<null>((r) => setTimeout(() => r(null), 50)),
          ]);
          if (!message) break;
          ids.push(messageIdToUuid(message.id));
        }
      } finally {
        await sub.close();
      }
    }
    expect(ids).toHaveLength(count);
    return ids;
  }

  it('"With node-postgres" delivers the order\'s event', async () => {
    await database();
    trackOpened();
    // The example's embedded broker, kept off the disk and the network in a test.
    const connect = EmbeddedConnector.prototype.connect;
    jest.spyOn(EmbeddedConnector.prototype, 'connect').mockImplementation(function (
      this: EmbeddedConnector,
      config?: ConnectorConfigInput,
    ) {
      connectors.push(this);
      return connect.call(this, {
        ...config,
        embedded: { persistent: false, dataDir: './unused', tcpPort: null, httpPort: null },
      });
    });
    // The example stops its relay right after the commit: let that relay publish first.
    const stop = OutboxRelay.prototype.stop;
    jest.spyOn(OutboxRelay.prototype, 'stop').mockImplementation(async function (this: OutboxRelay) {
      await eventually(async () => (await this.lag()).pending === 0);
      return stop.call(this);
    });
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);

    await withNodePostgres();

    const eventId = /event ([0-9a-f-]{36})/.exec(String(log.mock.calls[0]?.[0]))?.[1];
    expect(eventId).toBeDefined();
    expect(await publishedOn(connectors[0]!, 1)).toEqual([eventId]);
  });

  it('"With TypeORM" delivers the order\'s event', async () => {
    await database();
    trackOpened();
    const connector = new EmbeddedConnector();
    connectors.push(connector);
    await connector.connect({
      streamName: 'shop',
      topicName: 'domain',
      embedded: { persistent: false, dataDir: './unused', tcpPort: null, httpPort: null },
    });
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);

    await withTypeOrm(connector);

    const eventId = /event ([0-9a-f-]{36})/.exec(String(log.mock.calls[0]?.[0]))?.[1];
    expect(eventId).toBeDefined();
    const [relay] = opened.relays;
    await eventually(async () => (await relay!.lag()).pending === 0);
    expect(await publishedOn(connector, 1)).toEqual([eventId]);
  });
});
