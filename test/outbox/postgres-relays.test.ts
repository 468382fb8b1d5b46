import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { OutboxRelay } from '../../lib/outbox/outbox-relay.js';
import { TransactionalEventBus } from '../../lib/outbox/transactional-event-bus.js';
import { startPostgres, type PostgresCluster } from '../support/postgres.js';
import { describeWithPostgres } from '../support/postgres-suite.js';
import { BrokerHarness } from './broker-harness.js';
import { pgEnv } from './db-envs.js';

const TENANTS = 20;
const EVENTS = 10_000;
const PER_TXN = 5;

describeWithPostgres('two relays on one PostgreSQL outbox', () => {
  let cluster: PostgresCluster;
  beforeAll(async () => {
    cluster = await startPostgres();
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  it(`publish ${EVENTS} events of ${TENANTS} tenants exactly once, each tenant in insertion order`, async () => {
    const env = await pgEnv(await cluster.createDatabase('relays'));
    const broker = new BrokerHarness(8);
    await broker.start();
    const collector = await broker.collect();
    const relays = [
      new OutboxRelay({ store: env.store, connector: broker.connector, batchSize: 200, standbyPollMs: 20 }),
      new OutboxRelay({
        store: await env.newStore(),
        connector: broker.connector,
        batchSize: 200,
        standbyPollMs: 20,
      }),
    ];
    try {
      await Promise.all(relays.map((r) => r.start()));
      const bus = new TransactionalEventBus(env.store);
      const expected = new Map<string, string[]>();
      // One writer per tenant, all at once: a tenant's order is its writer's commit order.
      await Promise.all(
        Array.from({ length: TENANTS }, async (_, t) => {
          const tenant = `tenant-${t}`;
          const ids: string[] = [];
          expected.set(tenant, ids);
          for (let i = 0; i < EVENTS / TENANTS; i += PER_TXN) {
            await env.withTx(async (txn) => {
              for (let k = i; k < i + PER_TXN; k++) {
                ids.push((await bus.publishInTx(txn, tenant, null, { type: 'tick', payload: { k } })).id);
              }
            });
          }
        }),
      );
      await collector.waitFor(EVENTS, 60_000);
      await new Promise((resolve) => setTimeout(resolve, 200)); // would a duplicate still come?
      const ids = collector.delivered.map((d) => d.id);
      expect(ids).toHaveLength(EVENTS);
      expect(new Set(ids).size).toBe(EVENTS);
      expect(collector.byTenant()).toEqual(expected);
      const published = relays.map((r) => r.stats().published);
      expect(published[0]! + published[1]!).toBe(EVENTS);
      expect(await env.store.lag()).toMatchObject({ pending: 0, dead: 0 });
      console.log(`two relays: published ${published.join(' + ')}`);
    } finally {
      await Promise.all(relays.map((r) => r.stop()));
      await collector.close();
      await broker.stop();
      await env.close();
    }
  }, 120_000);
});
