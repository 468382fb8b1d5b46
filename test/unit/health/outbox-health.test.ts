import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { Test, type TestingModule } from '@nestjs/testing';
import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import Database from 'libsql';
import type { IggyConnector } from '../../../lib/connectors/iggy-connector.js';
import { IggyHealthIndicator } from '../../../lib/health/iggy.health-indicator.js';
import { IGGY_CONNECTOR } from '../../../lib/module/iggy.constants.js';
import { IggyModule } from '../../../lib/module/iggy.module.js';
import type { IggyOutboxOptions } from '../../../lib/outbox/nest/outbox-options.interface.js';
import { OutboxPrometheusMetrics } from '../../../lib/outbox/outbox-prometheus.js';
import { OutboxRelay } from '../../../lib/outbox/outbox-relay.js';
import {
  SqliteOutboxStore,
  type SqliteDatabaseLike,
} from '../../../lib/outbox/stores/sqlite/sqlite-outbox-store.js';
import { TransactionalEventBus } from '../../../lib/outbox/transactional-event-bus.js';
import { eventually, memoryConfig, recordLogs } from '../module/iggy-test-kit.js';

let app: TestingModule | undefined;
let db: InstanceType<typeof Database> | undefined;
beforeAll(() => void recordLogs());
afterEach(async () => {
  await app?.close();
  app = undefined;
  db?.close();
  db = undefined;
});

async function boot(outbox: Omit<IggyOutboxOptions, 'store'>): Promise<TestingModule> {
  db = new Database(':memory:');
  const store = new SqliteOutboxStore({ database: db });
  @Module({
    imports: [
      TerminusModule.forRoot({ logger: false }),
      IggyModule.forRoot(memoryConfig({ outbox: { store, ...outbox } })),
    ],
  })
  class AppModule {}
  app = await Test.createTestingModule({ imports: [AppModule] }).compile();
  await app.init();
  return app;
}

async function write(moduleRef: TestingModule, count: number): Promise<void> {
  const bus = moduleRef.get<TransactionalEventBus<SqliteDatabaseLike>>(TransactionalEventBus);
  for (let i = 0; i < count; i++) {
    db!.exec('BEGIN');
    await bus.publishInTx(db!, 'acme', null, { type: 'order.created', payload: { i } });
    db!.exec('COMMIT');
  }
}

describe('IggyHealthIndicator with the outbox', () => {
  it("reports the outbox's lag and is down once the oldest pending row is older than maxOutboxAgeMs", async () => {
    const moduleRef = await boot({ relay: false });
    const indicator = moduleRef.get(IggyHealthIndicator);
    expect((await indicator.isHealthy('iggy')).iggy).toMatchObject({
      status: 'up',
      outbox: { pending: 0, oldestPendingAgeMs: null, dead: 0, maxAgeMs: 60_000, relay: null },
    });

    await write(moduleRef, 3);
    await new Promise((r) => setTimeout(r, 20));
    const fresh = await indicator.isHealthy('iggy');
    expect(fresh.iggy).toMatchObject({ status: 'up', outbox: { pending: 3, dead: 0 } });
    const stale = await indicator.isHealthy('iggy', { maxOutboxAgeMs: 10 });
    expect(stale.iggy).toMatchObject({
      status: 'down',
      outbox: { pending: 3, maxAgeMs: 10 },
      reasons: [
        expect.stringMatching(/^the oldest pending outbox event is \d+ ms old \(3 pending\), above 10 ms$/),
      ],
    });
    const health = moduleRef.get(HealthCheckService);
    await expect(
      health.check([() => indicator.isHealthy('iggy', { maxOutboxAgeMs: 10 })]),
    ).rejects.toMatchObject({
      status: 503,
    });
  });

  it('keeps reporting the lag while the broker is down, with the relay state', async () => {
    const metrics = new OutboxPrometheusMetrics();
    const moduleRef = await boot({ relay: { metrics, backoff: { initialMs: 20, maxMs: 50 } } });
    const relay = moduleRef.get(OutboxRelay);
    await write(moduleRef, 2);
    await eventually(async () => (await relay.lag()).pending === 0);
    expect(await metrics.registry.getSingleMetricAsString('nestjs_iggy_outbox_published_total')).toMatch(
      /nestjs_iggy_outbox_published_total 2$/,
    );

    await moduleRef.get<IggyConnector>(IGGY_CONNECTOR).shutdown();
    await write(moduleRef, 2);
    await eventually(() => relay.stats().state === 'backoff');
    const down = await moduleRef.get(IggyHealthIndicator).isHealthy('iggy');
    expect(down.iggy).toMatchObject({
      status: 'down',
      connected: false,
      outbox: { pending: 2, dead: 0, relay: { state: 'backoff', published: 2 } },
    });
    metrics.onLag(await relay.lag());
    expect(await metrics.registry.getSingleMetricAsString('nestjs_iggy_outbox_pending')).toMatch(
      /nestjs_iggy_outbox_pending 2$/,
    );
  });

  it('metrics read the lag at scrape time from a lag source', async () => {
    const moduleRef = await boot({ relay: false });
    const store = moduleRef.get(TransactionalEventBus).store;
    const metrics = new OutboxPrometheusMetrics({ lagSource: store, prefix: 'shop_outbox_' });
    await write(moduleRef, 4);
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/^shop_outbox_pending 4$/m);
    expect(text).toMatch(/^shop_outbox_oldest_pending_age_seconds \d/m);
  });
});
