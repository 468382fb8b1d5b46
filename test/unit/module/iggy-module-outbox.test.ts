import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import Database from 'libsql';
import type { IggyConnector } from '../../../lib/connectors/iggy-connector.js';
import type { EventEnvelope } from '../../../lib/events/event-envelope.js';
import { IggyEventHandler } from '../../../lib/handlers/iggy-event-handler.decorator.js';
import { IggyConfigError } from '../../../lib/module/config/iggy-config.error.js';
import { validateIggyConfig } from '../../../lib/module/config/validate-iggy-config.js';
import { IGGY_CONNECTOR } from '../../../lib/module/iggy.constants.js';
import { IggyModule } from '../../../lib/module/iggy.module.js';
import type { IggyModuleOptions } from '../../../lib/module/interfaces/iggy-module-options.interface.js';
import { IGGY_OUTBOX_OPTIONS, IGGY_OUTBOX_STORE } from '../../../lib/outbox/nest/outbox.constants.js';
import type { IggyOutboxOptions } from '../../../lib/outbox/nest/outbox-options.interface.js';
import { OutboxRelay } from '../../../lib/outbox/outbox-relay.js';
import {
  SqliteOutboxStore,
  type SqliteDatabaseLike,
} from '../../../lib/outbox/stores/sqlite/sqlite-outbox-store.js';
import { TransactionalEventBus } from '../../../lib/outbox/transactional-event-bus.js';
import { eventually, memoryConfig, recordLogs } from './iggy-test-kit.js';

@Injectable()
class Billing {
  static seen: EventEnvelope<{ orderId: string }>[] = [];

  @IggyEventHandler('order.created', { group: 'billing' })
  onOrder(envelope: EventEnvelope<{ orderId: string }>): void {
    Billing.seen.push(envelope);
  }
}

let app: TestingModule | undefined;
let db: InstanceType<typeof Database> | undefined;
beforeAll(() => void recordLogs());
afterEach(async () => {
  await app?.close();
  app = undefined;
  db?.close();
  db = undefined;
  Billing.seen = [];
});

function sqliteStore(): SqliteOutboxStore {
  db = new Database(':memory:');
  db.exec('CREATE TABLE orders (id TEXT PRIMARY KEY)');
  return new SqliteOutboxStore({ database: db });
}

async function boot(options: IggyModuleOptions, providers: unknown[] = []): Promise<TestingModule> {
  @Module({ imports: [IggyModule.forRoot(memoryConfig(options))], providers: providers as never[] })
  class AppModule {}
  app = await Test.createTestingModule({ imports: [AppModule] }).compile();
  await app.init();
  return app;
}

/** An order row and its event in one SQLite transaction. */
async function placeOrder(
  bus: TransactionalEventBus<SqliteDatabaseLike>,
  orderId: string,
): Promise<EventEnvelope<{ orderId: string }>> {
  const conn = db!;
  conn.exec('BEGIN');
  try {
    conn.prepare('INSERT INTO orders (id) VALUES (?)').run(orderId);
    const envelope = await bus.publishInTx(conn, 'acme', 'u-1', {
      type: 'order.created',
      payload: { orderId },
    });
    conn.exec('COMMIT');
    return envelope;
  } catch (err) {
    conn.exec('ROLLBACK');
    throw err;
  }
}

describe('IggyModule with the outbox option', () => {
  it('provides the bus and the relay: a committed event reaches its handler, on the module stream and topic', async () => {
    const store = sqliteStore();
    const moduleRef = await boot({ streamName: 'shop', serialization: 'msgpack', outbox: { store } }, [
      Billing,
    ]);
    const bus = moduleRef.get<TransactionalEventBus<SqliteDatabaseLike>>(TransactionalEventBus);
    expect(bus).toBeInstanceOf(TransactionalEventBus);
    expect(moduleRef.get(IGGY_OUTBOX_STORE)).toBe(store);
    const options = moduleRef.get<IggyOutboxOptions>(IGGY_OUTBOX_OPTIONS);
    expect(options.target).toEqual({ stream: 'shop', topic: 'domain' });
    expect(options.serializer?.format).toBe('msgpack');
    const relay = moduleRef.get(OutboxRelay);
    await eventually(() => relay.stats().state !== 'stopped');

    const envelope = await placeOrder(bus, 'o-1');
    await eventually(() => Billing.seen.length === 1);
    expect(Billing.seen[0]).toMatchObject({ id: envelope.id, tenantId: 'acme', payload: { orderId: 'o-1' } });
    const row = db!.prepare('SELECT stream, topic, content_type AS ct FROM nestjs_iggy_outbox').all()[0];
    expect(row).toEqual({ stream: 'shop', topic: 'domain', ct: 'application/msgpack' });
  });

  it('stops the relay (onModuleDestroy) before the connector shuts down (onApplicationShutdown)', async () => {
    const moduleRef = await boot({ outbox: { store: sqliteStore() } });
    const relay = moduleRef.get(OutboxRelay);
    const connector = moduleRef.get<IggyConnector>(IGGY_CONNECTOR);
    const calls: string[] = [];
    const stop = relay.stop.bind(relay);
    relay.stop = async () => {
      calls.push('relay.stop');
      await stop();
      calls.push(`relay ${relay.stats().state}`);
    };
    const shutdown = connector.shutdown.bind(connector);
    connector.shutdown = async () => {
      calls.push('connector.shutdown');
      await shutdown();
    };
    await moduleRef.close();
    app = undefined;
    expect(calls).toEqual(['relay.stop', 'relay stopped', 'connector.shutdown']);
  });

  it('relay: false writes without relaying; no outbox option, no outbox providers', async () => {
    const writer = await boot({ outbox: { store: sqliteStore(), relay: false } });
    expect(writer.get(OutboxRelay)).toBeNull();
    const envelope = await placeOrder(writer.get(TransactionalEventBus), 'o-1');
    expect(await writer.get(IGGY_OUTBOX_STORE).lag()).toMatchObject({ pending: 1 });
    expect(envelope.id).toMatch(/^[0-9a-f-]{36}$/);
    await writer.close();
    app = undefined;

    const none = await boot({});
    expect([none.get(TransactionalEventBus), none.get(OutboxRelay), none.get(IGGY_OUTBOX_STORE)]).toEqual([
      null,
      null,
      null,
    ]);
    expect(none.get(IGGY_OUTBOX_OPTIONS)).toBeNull();
  });

  it('fails the boot with one error listing every bad outbox field', async () => {
    const bad = {
      outbox: {
        store: { insert: () => undefined },
        ensureSchema: 'yes',
        relay: { batchSize: 0, backoff: { initialMs: 500, maxMs: 100 }, metrics: { onLag: 5 }, bus: {} },
        target: { stream: 'shop' },
        serializer: 'json',
        retries: 3,
      },
    } as unknown as IggyModuleOptions;
    const boot$ = boot(bad);
    await expect(boot$).rejects.toBeInstanceOf(IggyConfigError);
    const err = (await boot$.catch((e: unknown) => e)) as IggyConfigError;
    expect(err.problems).toEqual([
      'outbox.store must be an OutboxStore (with ensureSchema, insert, claim, purge, lag), got an object',
      "outbox.ensureSchema must be true or false, got 'yes'",
      'outbox.relay.batchSize must be an integer in 1..100000, got 0',
      'outbox.relay.metrics.onLag must be a function, got 5',
      'outbox.relay.backoff.maxMs must be ≥ outbox.relay.backoff.initialMs (500), got 100',
      'outbox.target.topic is required',
      "outbox.serializer must be a Serializer (with serialize, deserialize), got 'json'",
      'outbox.relay.bus is not a known option',
      'outbox.retries is not a known option',
    ]);
  });

  it('accepts a full outbox block, and asks for a store', () => {
    const store = sqliteStore();
    const full: IggyModuleOptions = {
      outbox: {
        store,
        ensureSchema: false,
        relay: {
          batchSize: 100,
          busyPollMs: 5,
          lingerMs: 100,
          pollIntervalMs: 25,
          backoff: { initialMs: 50, maxMs: 2_000, multiplier: 2, jitter: 0.1 },
          retentionMs: null,
          verifyPayloads: false,
          metrics: { onLag: () => undefined },
          logger: { warn: () => undefined, error: () => undefined },
        },
        target: { stream: 'shop', topic: 'orders' },
      },
    };
    expect(validateIggyConfig(full)).toBe(full);
    expect(() => validateIggyConfig({ outbox: {} as IggyOutboxOptions })).toThrow(
      /outbox\.store is required/,
    );
    expect(() => validateIggyConfig({ outbox: { store, relay: true } as never })).toThrow(
      /outbox\.relay must be false or an object, got true/,
    );
  });
});
