import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { Test } from '@nestjs/testing';
import { IGGY_OUTBOX_OPTIONS, IGGY_OUTBOX_STORE } from '../../lib/outbox/nest/outbox.constants.js';
import { createOutboxProviders } from '../../lib/outbox/nest/outbox.providers.js';
import { OutboxRelay } from '../../lib/outbox/outbox-relay.js';
import type { SqliteDatabaseLike } from '../../lib/outbox/stores/sqlite/sqlite-outbox-store.js';
import { TransactionalEventBus } from '../../lib/outbox/transactional-event-bus.js';
import { BrokerHarness } from './broker-harness.js';
import { sqliteEnv } from './db-envs.js';

const CONNECTOR = Symbol('connector');

describe('outbox providers in a Nest application', () => {
  it('ensures the schema, injects the bus, runs the relay with the app and stops it at close', async () => {
    const env = await sqliteEnv();
    const broker = new BrokerHarness(2);
    await broker.start();
    const collector = await broker.collect();
    try {
      const moduleRef = await Test.createTestingModule({
        providers: [
          { provide: CONNECTOR, useValue: broker.connector },
          { provide: IGGY_OUTBOX_OPTIONS, useValue: { store: env.store, relay: { pollIntervalMs: 5000 } } },
          ...createOutboxProviders({ connector: CONNECTOR }),
        ],
      }).compile();
      await moduleRef.init();
      const bus = moduleRef.get<TransactionalEventBus<SqliteDatabaseLike>>(TransactionalEventBus);
      const relay = moduleRef.get(OutboxRelay);
      expect(moduleRef.get(IGGY_OUTBOX_STORE)).toBe(env.store);
      expect(relay.stats().state).not.toBe('stopped');

      // The write wakes the relay (SQLite cannot LISTEN): delivered long before the 5 s poll.
      const envelope = await env.withTx(async (txn) => {
        await env.insertOrder(txn, 'o-1', 'acme');
        return bus.publishInTx(txn, 'acme', 'u-1', { type: 'order.created', payload: { id: 'o-1' } });
      });
      const [got] = await collector.waitFor(1, 2000);
      expect(got?.id).toBe(envelope.id);

      await moduleRef.close();
      expect(relay.stats().state).toBe('stopped');
    } finally {
      await collector.close();
      await broker.stop();
      await env.close();
    }
  });

  it('relay: false provides no relay; no outbox options, no outbox', async () => {
    const env = await sqliteEnv();
    try {
      const moduleRef = await Test.createTestingModule({
        providers: [
          { provide: CONNECTOR, useValue: {} },
          { provide: IGGY_OUTBOX_OPTIONS, useValue: { store: env.store, relay: false } },
          ...createOutboxProviders({ connector: CONNECTOR }),
        ],
      }).compile();
      await moduleRef.init();
      expect(moduleRef.get(OutboxRelay)).toBeNull();
      await moduleRef.close();
      const none = await Test.createTestingModule({
        providers: [
          { provide: CONNECTOR, useValue: {} },
          { provide: IGGY_OUTBOX_OPTIONS, useValue: null },
          ...createOutboxProviders({ connector: CONNECTOR }),
        ],
      }).compile();
      await none.init();
      expect([none.get(TransactionalEventBus), none.get(OutboxRelay), none.get(IGGY_OUTBOX_STORE)]).toEqual([
        null,
        null,
        null,
      ]);
      await none.close();
    } finally {
      await env.close();
    }
  });
});
