/**
 * Two relays on one SQLite file with a publish slower than the lease (a remote connector holding
 * requests while it reconnects): they must never publish the same rows at the same time.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { PublishRequest } from '../../lib/connectors/publish-request.js';
import { OutboxRelay } from '../../lib/outbox/outbox-relay.js';
import type { SqliteDatabaseLike } from '../../lib/outbox/stores/sqlite/sqlite-outbox-store.js';
import { TransactionalEventBus } from '../../lib/outbox/transactional-event-bus.js';
import { BrokerHarness, pause, type Collector } from './broker-harness.js';
import { sqliteEnv, type OutboxDbEnv } from './db-envs.js';
import { waitUntil } from './outbox-scenarios.js';

/** The tests' lease (db-envs): 300 ms. */
const LEASE_MS = 300;
const SLOW_PUBLISH_MS = 4 * LEASE_MS;

/** Forwards to the broker after `delayMs`, and records which relay had which ids out when. */
class SlowConnector {
  readonly calls: { relay: string; ids: string[] }[] = [];
  readonly overlaps: string[] = [];
  private readonly inFlight = new Map<string, string>();

  constructor(
    private readonly broker: BrokerHarness,
    private readonly delayMs: number,
  ) {}

  for(relay: string): { publishBatch(requests: PublishRequest[]): Promise<void> } {
    return { publishBatch: (requests) => this.publish(relay, requests) };
  }

  private async publish(relay: string, requests: PublishRequest[]): Promise<void> {
    const ids = requests.map((r) => r.eventId);
    this.calls.push({ relay, ids });
    for (const id of ids) {
      const other = this.inFlight.get(id);
      if (other !== undefined) this.overlaps.push(`${id}: ${relay} while ${other}`);
      this.inFlight.set(id, relay);
    }
    try {
      await pause(this.delayMs);
      await this.broker.connector.publishBatch(requests);
    } finally {
      for (const id of ids) if (this.inFlight.get(id) === relay) this.inFlight.delete(id);
    }
  }
}

describe('SQLite relay lease', () => {
  let env: OutboxDbEnv<SqliteDatabaseLike>;
  let broker: BrokerHarness;
  let collector: Collector;
  let bus: TransactionalEventBus<SqliteDatabaseLike>;
  const relays: OutboxRelay[] = [];
  const write = (n: number) =>
    env.withTx(async (txn) => {
      for (let i = 0; i < n; i++)
        await bus.publishInTx(txn, `t-${i % 3}`, null, { type: 'e', payload: { i } });
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

  it('a publish several leases long: the standby waits, nobody publishes the same rows side by side', async () => {
    const slow = new SlowConnector(broker, SLOW_PUBLISH_MS);
    const a = new OutboxRelay({ store: env.store, connector: slow.for('a'), standbyPollMs: 20 });
    const b = new OutboxRelay({ store: await env.newStore(), connector: slow.for('b'), standbyPollMs: 20 });
    relays.push(a, b);
    await write(5);
    await a.start();
    await waitUntil(async () => slow.calls.length === 1);
    await b.start();

    await collector.waitFor(5);
    await waitUntil(async () => (await env.store.lag()).pending === 0);
    await pause(2 * LEASE_MS); // a late second publish would show here
    expect(slow.overlaps).toEqual([]);
    expect(slow.calls.map((c) => c.relay)).toEqual(['a']);
    expect(collector.delivered).toHaveLength(5);
    expect(b.stats()).toMatchObject({ state: 'standby', published: 0 });
    expect(a.stats()).toMatchObject({ published: 5, failures: 0 });
  });

  it('a relay whose lease was taken while it published records nothing at settle and stands by', async () => {
    const slow = new SlowConnector(broker, SLOW_PUBLISH_MS);
    const a = new OutboxRelay({ store: env.store, connector: slow.for('a') });
    relays.push(a);
    await write(2);
    const cycle = a.runOnce();
    await waitUntil(async () => slow.calls.length === 1);
    // What a relay frozen past its lease finds on waking: another one holds the outbox.
    await env.exec(`UPDATE nestjs_iggy_outbox_lease SET owner = 'relay-b', expires_at = $1`, [
      Date.now() + 60_000,
    ]);
    await expect(cycle).rejects.toMatchObject({ kind: 'LeaseLost' });
    expect(await env.store.lag()).toMatchObject({ pending: 2 });
    for (const id of slow.calls[0]!.ids) expect(await env.row(id)).toMatchObject({ status: 0, attempts: 0 });
    expect(await a.runOnce()).toMatchObject({ outcome: 'standby' });
  });
});
