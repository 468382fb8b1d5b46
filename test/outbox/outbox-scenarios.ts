/**
 * What the outbox promises, checked on one database through the real embedded broker. The suites for
 * SQLite, PostgreSQL and TypeORM call `outboxScenarios` with their own database.
 */
import { afterEach, beforeEach, expect, it } from '@jest/globals';
import { OutboxError } from '../../lib/outbox/outbox-error.js';
import { uuidToMessageId } from '../../lib/protocol/messages/message-id.js';
import { OutboxRelay } from '../../lib/outbox/outbox-relay.js';
import type { OutboxRelayOptions } from '../../lib/outbox/outbox-relay-options.js';
import type { ClaimedBatch, OutboxStore } from '../../lib/outbox/outbox-store.js';
import { TransactionalEventBus } from '../../lib/outbox/transactional-event-bus.js';
import { BrokerHarness, pause, type Collector, type Delivered } from './broker-harness.js';
import type { OutboxDbEnv } from './db-envs.js';

type AnyEnv = OutboxDbEnv<unknown>;

export interface ScenarioContext {
  env: AnyEnv;
  broker: BrokerHarness;
  bus: TransactionalEventBus<unknown>;
  collector: Collector;
  relay(options?: Partial<OutboxRelayOptions>, store?: OutboxStore<unknown>): OutboxRelay;
}

/** Registers the shared scenarios; `makeEnv` gives a fresh database per test. */
export function outboxScenarios(
  makeEnv: () => Promise<AnyEnv>,
  options: { persistentBroker?: boolean } = {},
): void {
  let ctx: ScenarioContext;
  const relays: OutboxRelay[] = [];

  beforeEach(async () => {
    const env = await makeEnv();
    const broker = new BrokerHarness(4, options.persistentBroker ?? false);
    await broker.start();
    const collector = await broker.collect();
    ctx = {
      env,
      broker,
      collector,
      bus: new TransactionalEventBus(env.store),
      relay(opts = {}, store = env.store) {
        const relay = new OutboxRelay({ store, connector: broker.connector, ...opts });
        relays.push(relay);
        return relay;
      },
    };
  });

  afterEach(async () => {
    for (const relay of relays.splice(0)) await relay.stop();
    await ctx.collector.close();
    await ctx.broker.stop();
    await ctx.env.close();
  });

  it('commit: the order row and the event are written together and the event reaches a subscriber', async () => {
    const { env, bus, collector } = ctx;
    const envelope = await env.withTx(async (txn) => {
      await env.insertOrder(txn, 'o-1', 'acme');
      return bus.publishInTx(txn, 'acme', 'user-7', {
        type: 'order.created',
        payload: { orderId: 'o-1', total: 42 },
      });
    });
    expect(envelope.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-/);
    expect(envelope).toMatchObject({
      tenantId: 'acme',
      actorId: 'user-7',
      type: 'order.created',
      version: 1,
    });
    expect(await env.count('orders')).toBe(1);
    expect((await env.row(envelope.id))?.status).toBe(0);

    await ctx.relay().start();
    const [got] = await collector.waitFor(1);
    expect(got).toMatchObject({ id: envelope.id, tenant: 'acme', type: 'order.created' });
    expect(JSON.parse(got!.payload.toString())).toEqual({ orderId: 'o-1', total: 42 });
    expect(got?.messageId).toBe(uuidToMessageId(envelope.id));
    await waitUntil(async () => (await env.row(envelope.id))?.status === 1);
  });

  it('rollback: neither the order nor the event, and nothing is ever published', async () => {
    const { env, bus, collector } = ctx;
    let id = '';
    await env.rollbackTx(async (txn) => {
      await env.insertOrder(txn, 'o-2', 'acme');
      id = (await bus.publishInTx(txn, 'acme', null, { type: 'order.created', payload: {} })).id;
    });
    expect(await env.count('orders')).toBe(0);
    expect(await env.row(id)).toBeUndefined();
    const relay = ctx.relay();
    expect(await relay.drain()).toBe(0);
    await pause(50);
    expect(collector.delivered).toHaveLength(0);
  });

  it('lag counts committed rows only, even asked while a transaction holds an uncommitted one', async () => {
    const { env, bus } = ctx;
    let written!: () => void;
    let release!: () => void;
    const wrote = new Promise<void>((resolve) => (written = resolve));
    const gate = new Promise<void>((resolve) => (release = resolve));
    const transaction = env.rollbackTx(async (txn) => {
      await bus.publishInTx(txn, 'acme', null, { type: 'order.created', payload: {} });
      written();
      await gate;
    });
    await wrote;
    const lag = env.store.lag();
    release();
    await transaction;
    expect((await lag).pending).toBe(0);
  });

  it('an error thrown inside the transaction: neither row nor event', async () => {
    const { env, bus, collector } = ctx;
    await expect(
      env.withTx(async (txn) => {
        await bus.publishInTx(txn, 'acme', null, { type: 'order.created', payload: { n: 1 } });
        await env.insertOrder(txn, 'o-3', 'acme');
        throw new Error('payment declined');
      }),
    ).rejects.toThrow('payment declined');
    expect(await env.count('outbox')).toBe(0);
    expect(await env.count('orders')).toBe(0);
    expect(await ctx.relay().drain()).toBe(0);
    expect(collector.delivered).toHaveLength(0);
  });

  it('an unserializable or invalid event fails with a typed error before anything is written', async () => {
    const { env, bus } = ctx;
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await env.withTx(async (txn) => {
      await env.insertOrder(txn, 'o-4', 'acme');
      for (const payload of [{ amount: 10n }, cyclic]) {
        const failure = bus.publishInTx(txn, 'acme', null, { type: 'order.created', payload });
        await expect(failure).rejects.toBeInstanceOf(OutboxError);
        await expect(failure).rejects.toMatchObject({ kind: 'Serialize' });
      }
      await expect(bus.publishInTx(txn, '', null, { type: 'x', payload: 1 })).rejects.toMatchObject({
        kind: 'InvalidEvent',
      });
    });
    // The caller caught the errors and committed: its order is there, no outbox row was written.
    expect(await env.count('orders')).toBe(1);
    expect(await env.count('outbox')).toBe(0);
  });

  it('the app dies after commit, before the relay publishes: the next relay delivers', async () => {
    const { env, bus, collector } = ctx;
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      await env.withTx(async (txn) => {
        ids.push((await bus.publishInTx(txn, 't1', null, { type: 'e', payload: { i } })).id);
      });
    }
    // No relay ran in "the dead process"; another instance comes up with its own store.
    const relay = ctx.relay({}, await env.newStore());
    await relay.start();
    await collector.waitFor(3);
    expect(collector.delivered.map((d) => d.id)).toEqual(ids);
  });

  it('the relay dies after publish, before mark-published: the same ids are delivered again', async () => {
    const { env, bus, collector } = ctx;
    const ids: string[] = [];
    await env.withTx(async (txn) => {
      for (let i = 0; i < 3; i++)
        ids.push((await bus.publishInTx(txn, 't1', null, { type: 'e', payload: { i } })).id);
    });
    const crashing = crashBeforeMark(env.store);
    await expect(ctx.relay({}, crashing).runOnce()).rejects.toThrow('crashed before mark-published');
    await collector.waitFor(3);
    expect((await env.row(ids[0]!))?.status).toBe(0);

    await ctx.relay({}, await env.newStore()).start();
    await collector.waitFor(6);
    // At-least-once: each id twice, same ids, same order (the Nest handler guard drops the second).
    expect(collector.delivered.map((d) => d.id)).toEqual([...ids, ...ids]);
    await waitUntil(async () => (await env.row(ids[2]!))?.status === 1);
  });

  it('a corrupt row is moved aside with its error and the relay goes on', async () => {
    const { env, bus, collector } = ctx;
    const ids: string[] = [];
    await env.withTx(async (txn) => {
      for (let i = 0; i < 4; i++)
        ids.push((await bus.publishInTx(txn, 't1', null, { type: 'e', payload: { i } })).id);
    });
    await env.exec(`UPDATE nestjs_iggy_outbox SET headers = $1 WHERE id = $2`, ['{not json', ids[1]]);
    await env.exec(`UPDATE nestjs_iggy_outbox SET payload = $1 WHERE id = $2`, [
      Buffer.from('{"i": \u0000 2}') /* NUL: PostgreSQL text refuses it in last_error */,
      ids[2],
    ]);
    const relay = ctx.relay();
    await relay.start();
    await collector.waitFor(2);
    expect(collector.delivered.map((d) => d.id)).toEqual([ids[0], ids[3]]);
    await waitUntil(async () => (await relay.lag()).dead === 2); // settled after the publish
    const bad = await env.row(ids[1]!);
    expect(bad).toMatchObject({ status: 2 });
    expect(bad?.lastError).toMatch(/headers are not JSON/);
    expect((await env.row(ids[2]!))?.lastError).toMatch(/payload is not valid application\/json/);
    expect(await relay.lag()).toMatchObject({ pending: 0, dead: 2 });
    // ...and goes on.
    const later = await env.withTx((txn) =>
      bus.publishInTx(txn, 't1', null, { type: 'e', payload: { i: 9 } }),
    );
    relay.wake();
    await collector.waitFor(3);
    expect(collector.delivered[2]?.id).toBe(later.id);
    expect(relay.stats().dead).toBe(2);
  });

  it('keeps per-tenant insertion order', async () => {
    const { env, bus, collector } = ctx;
    const expected = new Map<string, string[]>();
    for (let i = 0; i < 120; i++) {
      const tenant = `tenant-${i % 5}`;
      const e = await env.withTx((txn) => bus.publishInTx(txn, tenant, null, { type: 'e', payload: { i } }));
      expected.set(tenant, [...(expected.get(tenant) ?? []), e.id]);
    }
    await ctx.relay({ batchSize: 17 }).start();
    await collector.waitFor(120);
    expect(collector.byTenant()).toEqual(expected);
    expectWireIdentity(collector.delivered);
    for (const set of collector.partitionsByTenant().values()) expect(set.size).toBe(1);
  });

  it('on the wire: the Iggy message id is the envelope id (u128), each tenant on one partition', async () => {
    const { env, bus, collector } = ctx;
    const written: string[] = [];
    for (let i = 0; i < 40; i++) {
      const e = await env.withTx((txn) =>
        bus.publishInTx(txn, `tenant-${i % 8}`, null, { type: 'e', payload: { i } }),
      );
      written.push(e.id);
    }
    await ctx.relay({ batchSize: 7 }).start();
    const delivered = await collector.waitFor(40);
    expect(delivered.map((d) => d.id).sort()).toEqual([...written].sort());
    expectWireIdentity(delivered);
    const partitions = collector.partitionsByTenant();
    expect(partitions.size).toBe(8);
    for (const [tenant, set] of partitions)
      expect({ tenant, partitions: set.size }).toEqual({ tenant, partitions: 1 });
    // 8 tenants on 4 partitions: the key spreads them (not all on one).
    expect(new Set(delivered.map((d) => d.partition)).size).toBeGreaterThan(1);
  });

  it('broker down: rows stay pending with attempts and last_error, lag grows; back up: all published in order', async () => {
    const { env, bus } = ctx;
    const broker = new BrokerHarness(4, true);
    await broker.start();
    try {
      const relayOn = new OutboxRelay({
        store: env.store,
        connector: broker.connector,
        backoff: { initialMs: 10, maxMs: 50 },
      });
      relays.push(relayOn);
      const expected = new Map<string, string[]>();
      const write = async (i: number): Promise<void> => {
        const tenant = `tenant-${i % 4}`;
        const e = await env.withTx((txn) =>
          bus.publishInTx(txn, tenant, null, { type: 'e', payload: { i } }),
        );
        expected.set(tenant, [...(expected.get(tenant) ?? []), e.id]);
      };
      await relayOn.start();
      for (let i = 0; i < 5; i++) await write(i);
      await waitUntil(async () => (await relayOn.lag()).pending === 0);

      await broker.down();
      for (let i = 5; i < 45; i++) await write(i);
      await waitUntil(async () => relayOn.stats().consecutiveFailures >= 3);
      const lag = await relayOn.lag();
      expect(lag.pending).toBe(40);
      expect(lag.oldestPendingAgeMs).toBeGreaterThanOrEqual(0);
      expect(relayOn.stats()).toMatchObject({ state: 'backoff' });
      const first = await env.row(expected.get('tenant-1')![1]!);
      expect(first?.status).toBe(0);
      expect(first?.attempts).toBeGreaterThan(0);
      expect(first?.lastError).toMatch(/shut down|not connected/i);
      await pause(30);
      expect((await relayOn.lag()).oldestPendingAgeMs).toBeGreaterThan(lag.oldestPendingAgeMs ?? 0);

      await broker.start();
      const collector = await broker.collect();
      try {
        await collector.waitFor(45);
        expect(collector.byTenant()).toEqual(expected);
        expect(new Set(collector.delivered.map((d) => d.id)).size).toBe(45);
        await waitUntil(async () => (await relayOn.lag()).pending === 0);
      } finally {
        await relayOn.stop();
        await collector.close();
      }
    } finally {
      await broker.stop();
    }
  });

  it('purges published rows after the retention, never pending ones', async () => {
    const { env, bus } = ctx;
    await env.withTx(async (txn) => {
      for (let i = 0; i < 5; i++) await bus.publishInTx(txn, 't1', null, { type: 'e', payload: { i } });
    });
    await ctx.relay().drain();
    await env.withTx((txn) => bus.publishInTx(txn, 't1', null, { type: 'e', payload: { i: 5 } }));
    expect(await env.store.purge(new Date(Date.now() - 60_000), 100)).toBe(0);
    expect(await env.store.purge(new Date(Date.now() + 1000), 2)).toBe(2);
    expect(await env.store.purge(new Date(Date.now() + 1000), 100)).toBe(3);
    expect(await env.count('outbox')).toBe(1);
    expect((await env.store.lag()).pending).toBe(1);
  });
}

/** Each message's Iggy id is its envelope id as the u128 the wire carries (`uuidToMessageId`). */
export function expectWireIdentity(delivered: Delivered[]): void {
  const wrong = delivered
    .filter((d) => d.messageId !== uuidToMessageId(d.id))
    .map((d) => `${d.id} arrived as message id ${d.messageId}`);
  expect(wrong).toEqual([]);
}

/** The store, but each batch "crashes" after the publish: nothing is marked, the claim is dropped. */
export function crashBeforeMark<T>(store: OutboxStore<T>): OutboxStore<T> {
  return Object.assign(Object.create(store) as OutboxStore<T>, {
    async claim(limit: number): Promise<ClaimedBatch | null> {
      const batch = await store.claim(limit);
      if (!batch) return null;
      return {
        rows: batch.rows,
        abandon: () => batch.abandon(),
        async settle() {
          await batch.abandon();
          throw new Error('crashed before mark-published');
        },
      };
    },
  });
}

export async function waitUntil(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await pause(10);
  }
}
