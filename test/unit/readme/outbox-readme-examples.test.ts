/*
 * The code examples of the README's "Transactional outbox" section, as real code: this file is
 * type-checked (by `npm run lint` and by the first test below), and the Nest example is booted on an
 * in-memory embedded broker with TypeORM on an in-memory SQLite database. Keep each block in step with
 * its README counterpart: a README block written at the top level of a module is the body of a function
 * here (so importing this file runs nothing), the README imports from 'nestjs-iggy' and
 * 'nestjs-iggy/connector', here the same names come from lib/.
 */
import 'reflect-metadata';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get, Injectable, Module } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { Test, type TestingModule } from '@nestjs/testing';
import Database from 'libsql';
import pg from 'pg';
import { Column, DataSource, Entity, PrimaryColumn, type EntityManager } from 'typeorm';
import ts from 'typescript';
import { EmbeddedConnector } from '../../../lib/connectors/index.js';
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
  await connector.connect({ streamName: 'shop', topicName: 'domain' });
  await connector.ensureStream('shop');
  await connector.ensureTopic('shop', { name: 'domain', partitions: 8 });

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
  const dataSource = await new DataSource({ type: 'postgres', url: process.env.DATABASE_URL }).initialize();
  // SQLite: new DataSource({ type: 'better-sqlite3', database: 'app.db', driver: require('libsql') })
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
