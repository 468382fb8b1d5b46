import { afterAll, beforeAll, expect, it } from '@jest/globals';
import pg from 'pg';
import { OutboxRelay } from '../../lib/outbox/outbox-relay.js';
import { TransactionalEventBus } from '../../lib/outbox/transactional-event-bus.js';
import { startPostgres, type PostgresCluster } from '../support/postgres.js';
import { describeWithPostgres } from '../support/postgres-suite.js';
import { BrokerHarness } from './broker-harness.js';
import { pgEnv } from './db-envs.js';
import { outboxScenarios, waitUntil } from './outbox-scenarios.js';

describeWithPostgres('outbox on PostgreSQL (node-postgres), through the embedded broker', () => {
  let cluster: PostgresCluster;
  let n = 0;
  beforeAll(async () => {
    cluster = await startPostgres();
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  outboxScenarios(async () => pgEnv(await cluster.createDatabase(`pg_${++n}`)));

  it('wakes on NOTIFY at commit, not by polling', async () => {
    const env = await pgEnv(await cluster.createDatabase(`pg_${++n}`));
    const broker = new BrokerHarness(2);
    await broker.start();
    const collector = await broker.collect();
    const relay = new OutboxRelay({
      store: env.store,
      connector: broker.connector,
      lingerMs: 0,
      pollIntervalMs: 60_000,
      watchPollIntervalMs: 60_000,
    });
    try {
      await relay.start();
      expect(relay.stats().watching).toBe(true);
      const bus = new TransactionalEventBus(env.store);
      for (let i = 0; i < 3; i++) {
        // Asleep (holding the idle lock) until notified: its next poll is a minute away.
        await waitUntil(async () => relay.stats().state === 'idle');
        const committed = performance.now();
        const e = await env.withTx((txn) =>
          bus.publishInTx(txn, 'acme', null, { type: 'e', payload: { i } }),
        );
        const [got] = (await collector.waitFor(i + 1, 5000)).slice(i);
        expect(got?.id).toBe(e.id);
        expect(got!.at - committed).toBeLessThan(1000);
      }
    } finally {
      await relay.stop();
      await collector.close();
      await broker.stop();
      await env.close();
    }
  });

  it('writers notify only while the relay sleeps (NOTIFY serializes commits)', async () => {
    const url = await cluster.createDatabase(`pg_${++n}`);
    const env = await pgEnv(url);
    const broker = new BrokerHarness(2);
    await broker.start();
    const collector = await broker.collect();
    const listener = new pg.Client({ connectionString: url });
    const relay = new OutboxRelay({ store: env.store, connector: broker.connector, lingerMs: 300 });
    let notified = 0;
    try {
      const bus = new TransactionalEventBus(env.store);
      const write = (i: number) =>
        env.withTx((txn) => bus.publishInTx(txn, 't', null, { type: 'e', payload: { i } }));
      await relay.start();
      await waitUntil(async () => relay.stats().state === 'idle');
      await listener.connect();
      listener.on('notification', () => notified++);
      await listener.query('LISTEN nestjs_iggy_outbox');
      // Asleep: the first write notifies and wakes it.
      await write(0);
      await collector.waitFor(1);
      await waitUntil(async () => notified === 1);
      // Busy (lingering after rows): writes do not notify.
      const before = notified;
      for (let i = 1; i <= 10; i++) await write(i);
      await collector.waitFor(11);
      expect(relay.stats().state).toBe('active');
      expect(notified).toBe(before);
    } finally {
      await listener.end().catch(() => undefined);
      await relay.stop();
      await collector.close();
      await broker.stop();
      await env.close();
    }
  });
});
