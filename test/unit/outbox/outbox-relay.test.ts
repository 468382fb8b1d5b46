import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { OutboxPrometheusMetrics } from '../../../lib/outbox/outbox-prometheus.js';
import { OutboxRelay } from '../../../lib/outbox/outbox-relay.js';
import type { OutboxLag } from '../../../lib/outbox/outbox-store.js';
import type { SqliteDatabaseLike } from '../../../lib/outbox/stores/sqlite/sqlite-outbox-store.js';
import { TransactionalEventBus } from '../../../lib/outbox/transactional-event-bus.js';
import { BrokerHarness, type Collector } from '../../outbox/broker-harness.js';
import { sqliteEnv, type OutboxDbEnv } from '../../outbox/db-envs.js';
import { waitUntil } from '../../outbox/outbox-scenarios.js';

describe('OutboxRelay', () => {
  let env: OutboxDbEnv<SqliteDatabaseLike>;
  let broker: BrokerHarness;
  let collector: Collector;
  let bus: TransactionalEventBus<SqliteDatabaseLike>;
  const relays: OutboxRelay[] = [];
  const relay = (options: Partial<ConstructorParameters<typeof OutboxRelay>[0]> = {}): OutboxRelay => {
    const r = new OutboxRelay({ store: env.store, connector: broker.connector, ...options });
    relays.push(r);
    return r;
  };
  const write = (n: number, tenant = 't') =>
    env.withTx(async (txn) => {
      for (let i = 0; i < n; i++) await bus.publishInTx(txn, tenant, null, { type: 'e', payload: { i } });
    });

  beforeEach(async () => {
    env = await sqliteEnv();
    broker = new BrokerHarness(2);
    await broker.start();
    collector = await broker.collect();
    bus = new TransactionalEventBus(env.store);
  });
  afterEach(async () => {
    for (const r of relays.splice(0)) await r.stop();
    await collector.close();
    await broker.stop();
    await env.close();
  });

  it('checks its options and runs one batch at a time', async () => {
    expect(() => relay({ batchSize: 0 })).toThrow(expect.objectContaining({ kind: 'Config' }));
    await write(3);
    const r = relay({ batchSize: 2 });
    const [first, second] = await Promise.allSettled([r.runOnce(), r.runOnce()]);
    expect(first).toMatchObject({
      status: 'fulfilled',
      value: { outcome: 'published', published: 2, full: true },
    });
    expect(second).toMatchObject({ status: 'rejected', reason: { kind: 'Config' } });
    expect(await r.drain()).toBe(1);
    expect(await r.runOnce()).toEqual({ outcome: 'idle', published: 0, dead: 0, full: false });
  });

  it('reports to the metrics hook: published, dead, purged, lag', async () => {
    const seen = { published: 0, dead: [] as string[], purged: 0, lags: [] as OutboxLag[] };
    await write(4);
    await env.exec('UPDATE nestjs_iggy_outbox SET headers = $1 WHERE seq = 2', ['[]']);
    const r = relay({
      retentionMs: 0,
      purgeIntervalMs: 0,
      lagIntervalMs: 20,
      metrics: {
        onPublished: (n, ms) => {
          seen.published += n;
          expect(ms).toBeGreaterThanOrEqual(0);
        },
        onDead: (id) => seen.dead.push(id),
        onPurged: (n) => (seen.purged += n),
        onLag: (lag) => seen.lags.push(lag),
      },
    });
    await r.start();
    await collector.waitFor(3);
    await waitUntil(async () => seen.purged === 3 && seen.lags.length > 0);
    expect(seen.published).toBe(3);
    expect(seen.dead).toHaveLength(1);
    expect(seen.lags.at(-1)).toEqual({ pending: 0, oldestPendingAgeMs: null, dead: 1 });
    expect(r.stats()).toMatchObject({ published: 3, dead: 1, failures: 0, watching: false });
    expect(await env.count('outbox')).toBe(1); // the dead row is kept
  });

  it('calls a metrics object’s own methods (OutboxPrometheusMetrics): its lag report is on it, not loose', async () => {
    await write(3);
    await env.exec('UPDATE nestjs_iggy_outbox SET headers = $1 WHERE seq = 2', ['[]']);
    const metrics = new OutboxPrometheusMetrics();
    const r = relay({ lagIntervalMs: 20, metrics });
    await r.start();
    await collector.waitFor(2);
    // The dead-rows gauge is set by the lag report alone.
    await waitUntil(async () => /^nestjs_iggy_outbox_dead 1$/m.test(await metrics.registry.metrics()));
    expect(await metrics.registry.metrics()).toMatch(/^nestjs_iggy_outbox_pending 0$/m);
  });

  it('purges on its own schedule while every claim is full (never idle), and not while standing by', async () => {
    const backlog = 1000;
    await write(backlog);
    const publishedAtPurge: number[] = [];
    const busy = relay({
      batchSize: 1,
      retentionMs: 0,
      purgeIntervalMs: 10,
      metrics: { onPurged: () => publishedAtPurge.push(busy.stats().published) },
    });
    let standbyPurged = 0;
    const standby = relay({
      store: await env.newStore(),
      standbyPollMs: 5,
      retentionMs: 0,
      purgeIntervalMs: 0,
      metrics: { onPurged: () => (standbyPurged += 1) },
    });
    await busy.start();
    await standby.start();
    await waitUntil(async () => publishedAtPurge.length >= 2);
    expect(publishedAtPurge[1]).toBeLessThan(backlog);
    expect(standby.stats().state).toBe('standby');
    await collector.waitFor(backlog);
    await waitUntil(async () => (await env.count('outbox')) === 0);
    expect(standbyPurged).toBe(0);
  });

  it('backs off exponentially while publishing fails, then recovers', async () => {
    const waits: number[] = [];
    await write(2);
    await broker.down();
    const r = relay({
      backoff: { initialMs: 10, multiplier: 2, maxMs: 40, jitter: 0 },
      metrics: { onFailure: (_err, _n, retryInMs) => waits.push(retryInMs) },
    });
    await r.start();
    await waitUntil(async () => waits.length >= 4);
    expect(waits.slice(0, 4)).toEqual([10, 20, 40, 40]);
    expect(r.stats()).toMatchObject({ state: 'backoff', lastError: expect.stringMatching(/shut down/) });
    await broker.start();
    const again = await broker.collect();
    try {
      await again.waitFor(2);
      await waitUntil(async () => r.stats().consecutiveFailures === 0);
    } finally {
      await again.close();
    }
  });

  it('ends its backoff when the connector says the broker is back, instead of waiting it out', async () => {
    await write(2);
    let failing = true;
    let reconnected: (() => void) | undefined;
    const connector = {
      publishBatch: (requests: Parameters<typeof broker.connector.publishBatch>[0]) =>
        failing ? Promise.reject(new Error('broker down')) : broker.connector.publishBatch(requests),
      onReconnect: (listener: () => void) => {
        reconnected = listener;
        return () => (reconnected = undefined);
      },
    };
    const r = relay({ connector, backoff: { initialMs: 60_000, multiplier: 2, maxMs: 60_000, jitter: 0 } });
    await r.start();
    await waitUntil(async () => r.stats().state === 'backoff');
    failing = false;
    const started = performance.now();
    reconnected!();
    await collector.waitFor(2);
    expect(performance.now() - started).toBeLessThan(10_000); // not the 60 s backoff
    await r.stop();
    expect(reconnected).toBeUndefined();
  });

  it('a second relay on the same SQLite file stands by, and takes over when the first stops', async () => {
    const a = relay({ standbyPollMs: 20 });
    const b = relay({ store: await env.newStore(), standbyPollMs: 20 });
    await a.start();
    await write(1);
    await collector.waitFor(1);
    await b.start();
    await waitUntil(async () => b.stats().state === 'standby');
    await write(1);
    await collector.waitFor(2);
    expect(b.stats().published).toBe(0);

    await a.stop();
    expect(a.stats().state).toBe('stopped');
    await write(1);
    await collector.waitFor(3);
    expect(b.stats().published).toBe(1);
    await a.stop();
  });
});
