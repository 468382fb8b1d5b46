import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import Database from 'libsql';
import { EmbeddedConnector } from '../../../lib/connectors/embedded-connector.js';
import type { EventEnvelope } from '../../../lib/events/event-envelope.js';
import { IggyEventHandler } from '../../../lib/handlers/index.js';
import { type IdempotencyStore } from '../../../lib/consumer/index.js';
import { SqliteIdempotencyStore } from '../../../lib/outbox/idempotency/sqlite-idempotency-store.js';
import { validateIggyConfig } from '../../../lib/module/config/validate-iggy-config.js';
import type { IggyModuleOptions } from '../../../lib/module/interfaces/iggy-module-options.interface.js';
import { TopologyManager } from '../../../lib/topology/topology-manager.js';
import {
  PARTITIONS,
  STREAM,
  TOPIC,
  createApp,
  event,
  fastOptions,
  groupLag,
  publish,
  waitFor,
} from './handlers-kit.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** Every id the `billing` handler was called with, in this test. */
let calls: string[] = [];

@Injectable()
class Billing {
  @IggyEventHandler('order.created', { group: 'billing' })
  onCreated(envelope: EventEnvelope): void {
    calls.push(envelope.id);
  }
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'nestjs-iggy-idem-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A persistent embedded broker on `dataDir` (the same messages and offsets after a restart). */
async function broker(dataDir: string): Promise<EmbeddedConnector> {
  const connector = new EmbeddedConnector();
  await connector.connect({
    streamName: STREAM,
    topicName: TOPIC,
    partitions: PARTITIONS,
    embedded: { dataDir, persistent: true, tcpPort: null, httpPort: null },
  });
  await new TopologyManager(connector, {}, { logger: { warn: () => undefined } }).ensure();
  return connector;
}

/** The process "dies before committing": every offset commit of its group subscriptions fails. */
function failCommits(connector: EmbeddedConnector): void {
  const subscribe = connector.subscribeGroup.bind(connector);
  connector.subscribeGroup = async (...args) => {
    const subscription = await subscribe(...args);
    subscription.commit = async () => {
      throw new Error('killed before the commit');
    };
    return subscription;
  };
}

function withStore(store: IdempotencyStore | undefined): IggyModuleOptions {
  return store
    ? { ...fastOptions, handlers: { ...fastOptions.handlers, idempotencyStore: store } }
    : fastOptions;
}

/**
 * Run 1 handles every event (its ids recorded in `store`) but commits nothing; run 2, a new module on
 * the same data dir (and the same store), gets them all again. Returns the ids each run handled.
 */
async function restartMidStream(store: IdempotencyStore | undefined): Promise<[string[], string[]]> {
  const dataDir = tempDir();
  const events = Array.from({ length: 8 }, (_, i) =>
    event({ type: 'order.created', tenantId: `tenant-${i % 3}`, payload: { i } }),
  );
  calls = [];
  const first = await broker(dataDir);
  failCommits(first);
  const app1 = await createApp(first, [Billing], withStore(store));
  await publish(first, ...events);
  await waitFor(() => calls.length === events.length, 10_000, 'run 1 handling every event');
  await app1.close();
  await first.shutdown();
  const run1 = calls;

  calls = [];
  const second = await broker(dataDir);
  cleanups.push(() => second.shutdown());
  expect(await groupLag(second, 'billing')).toBe(BigInt(events.length)); // nothing was committed
  const app2 = await createApp(second, [Billing], withStore(store));
  cleanups.push(() => app2.close());
  await waitFor(async () => (await groupLag(second, 'billing')) === 0n, 10_000, 'run 2 committing all');
  return [run1, calls];
}

function sqliteStore(): { store: SqliteIdempotencyStore; db: Database.Database } {
  const db = new Database(join(tempDir(), 'handled.sqlite'));
  cleanups.push(() => void db.close());
  return { store: new SqliteIdempotencyStore({ database: db }), db };
}

describe('idempotency guard across a restart', () => {
  it('with a durable store, an id handled before the crash is not handled again', async () => {
    const { store } = sqliteStore();
    await store.ensureSchema();
    const [run1, run2] = await restartMidStream(store);
    expect(run1).toHaveLength(8);
    expect(run2).toEqual([]);
  });

  it('with the memory window (the default), the uncommitted tail is handled again', async () => {
    const [run1, run2] = await restartMidStream(undefined);
    expect(run1).toHaveLength(8);
    expect([...run2].sort()).toEqual([...run1].sort());
  });
});

describe('idempotency store failures never lose a message', () => {
  async function run(store: IdempotencyStore): Promise<{ connector: EmbeddedConnector }> {
    calls = [];
    const connector = await broker(tempDir());
    cleanups.push(() => connector.shutdown());
    const app = await createApp(connector, [Billing], withStore(store));
    cleanups.push(() => app.close());
    return { connector };
  }

  it('a failed lookup handles the message; a failed record still commits it', async () => {
    const recorded: string[] = [];
    const store: IdempotencyStore = {
      handled: async () => {
        throw new Error('database down');
      },
      record: async (_group, ids) => {
        recorded.push(...ids);
        throw new Error('database down');
      },
      prune: async () => 0,
    };
    const { connector } = await run(store);
    const events = [1, 2, 3].map((i) => event({ type: 'order.created', tenantId: 'acme', payload: { i } }));
    await publish(connector, ...events);
    await waitFor(async () => (await groupLag(connector, 'billing')) === 0n, 10_000, 'all committed');
    expect(calls).toEqual(events.map((e) => e.id));
    expect(recorded).toEqual(events.map((e) => e.id)); // each tried once: no redelivery, no retry loop
  });

  it('an id the store says was handled is skipped and committed', async () => {
    const done = event({ type: 'order.created', tenantId: 'acme', payload: {} });
    const fresh = event({ type: 'order.created', tenantId: 'acme', payload: {} });
    const store: IdempotencyStore = {
      handled: async (_group, ids) => new Set(ids.filter((id) => id === done.id)),
      record: async () => undefined,
      prune: async () => 0,
    };
    const { connector } = await run(store);
    await publish(connector, done, fresh);
    await waitFor(async () => (await groupLag(connector, 'billing')) === 0n, 10_000, 'all committed');
    expect(calls).toEqual([fresh.id]);
  });
});

describe('handlers.idempotencyStore option', () => {
  it('takes a live store (kept as is) and rejects anything else by name', () => {
    const { store } = sqliteStore();
    const options = { handlers: { concurrency: 2, idempotencyStore: store } };
    expect(validateIggyConfig(options).handlers?.idempotencyStore).toBe(store);
    expect(() =>
      validateIggyConfig({ handlers: { idempotencyStore: { handled: () => 1 } as never } }),
    ).toThrow(/handlers\.idempotencyStore must be an IdempotencyStore \(with handled, record, prune\)/);
    // The rest of the block is still checked.
    expect(() => validateIggyConfig({ handlers: { concurrency: 0, idempotencyStore: store } })).toThrow(
      /handlers\.concurrency/,
    );
  });
});
