import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { BrokerProcess, cleanUp, eventually, SampleAppProcess, tempDir } from '../support/app-process.js';
import { ensureBuilt } from '../support/build-once.js';
import { handled, readJournal } from '../e2e/e2e-kit.js';
import { count, FULL, report, sleep } from './fault-kit.js';

const GROUPS = ['billing', 'notifications'] as const;
const TENANTS = Array.from({ length: 10 }, (_, i) => `tenant-${i}`);

/** Order ids each group handled (`order.created`), one entry per handling, from the instances' journals. */
function handledBy(journals: string[], group: string): string[] {
  return journals.flatMap((file) => handled(readJournal(file), group).map((e) => e.orderId));
}

/** Waits until `group` handled every acknowledged order, then reports and checks its counts. */
async function expectAllHandled(
  journals: string[],
  acked: string[],
  label: string,
  timeoutMs: number,
): Promise<void> {
  for (const group of GROUPS) {
    await eventually(
      `${group} handled every acknowledged order`,
      () => {
        const seen = new Set(handledBy(journals, group));
        return acked.every((id) => seen.has(id));
      },
      timeoutMs,
      200,
    );
    const counts = count(acked, handledBy(journals, group));
    report(`${label}, group ${group}`, counts);
    expect(counts.lost).toBe(0);
  }
}

/** Posts orders round-robin over the tenants until `until()`; returns the acknowledged (201) ids. */
async function placeOrders(
  app: () => SampleAppProcess,
  prefix: string,
  until: () => boolean,
  extra = {},
): Promise<string[]> {
  const acked: string[] = [];
  for (let i = 0; !until(); i++) {
    const id = `${prefix}-${i}`;
    const body = {
      tenantId: TENANTS[i % TENANTS.length],
      orderId: id,
      items: [{ sku: 'book', quantity: 1 }],
      total: 1,
      ...extra,
    };
    const reply = await app()
      .post('/orders', body)
      .catch(() => null);
    if (reply?.status === 201) acked.push(id);
    await sleep(10);
  }
  return acked;
}

describe('the sample app in remote mode under faults', () => {
  beforeAll(ensureBuilt, 300_000);
  afterAll(cleanUp);

  it('kill -9 of a consumer app mid-batch: the next owner redelivers from the last commit, never skips', async () => {
    const dir = tempDir();
    const broker = await BrokerProcess.start(join(dir, 'broker'));
    const env = (name: string) => ({
      IGGY_MODE: 'remote',
      IGGY_ADDRESSES: `127.0.0.1:${broker.port}`,
      SAMPLE_INSTANCE: name,
      SAMPLE_JOURNAL: join(dir, `${name}.jsonl`),
      SAMPLE_SQLITE_FILE: join(dir, `${name}.sqlite`),
    });
    const journals = ['A', 'B'].map((n) => join(dir, `${n}.jsonl`));
    let a = await SampleAppProcess.start(env('A'));
    const b = await SampleAppProcess.start(env('B'));
    let stop = false;
    const posting = placeOrders(
      () => b,
      'consumer-kill',
      () => stop,
      { processingMs: 20 },
    );
    await eventually(
      'billing under way',
      () => handledBy(journals, 'billing').length >= (FULL ? 80 : 30),
      60_000,
      20,
    );
    await a.stop('SIGKILL'); // with handlers mid-batch and their commits pending
    a = await SampleAppProcess.start(env('A'));
    await sleep(FULL ? 5_000 : 2_000);
    stop = true;
    const acked = await posting;
    await expectAllHandled(journals, acked, 'consumer app kill -9 mid-batch', 90_000);
    await a.stop();
    await b.stop();
    await broker.stop();
  }, 300_000);

  it('the server restarted, also on another port of remote.addresses: producers wait, consumers rejoin, nothing lost', async () => {
    const dir = tempDir();
    const brokerDir = join(dir, 'broker');
    let broker = await BrokerProcess.start(brokerDir);
    const first = broker.port;
    // A port for the second address: free now, taken by the broker's restart.
    const probe = await BrokerProcess.start(join(dir, 'probe'));
    const second = probe.port;
    await probe.stop();
    const journals = ['A', 'B'].map((n) => join(dir, `${n}.jsonl`));
    const env = (name: string) => ({
      IGGY_MODE: 'remote',
      IGGY_ADDRESSES: `127.0.0.1:${first},127.0.0.1:${second}`,
      SAMPLE_INSTANCE: name,
      SAMPLE_JOURNAL: join(dir, `${name}.jsonl`),
      SAMPLE_SQLITE_FILE: join(dir, `${name}.sqlite`),
    });
    const apps = [await SampleAppProcess.start(env('A')), await SampleAppProcess.start(env('B'))];
    let stop = false;
    let turn = 0;
    const posting = placeOrders(
      () => apps[turn++ % 2]!,
      'restart',
      () => stop,
    );
    await sleep(FULL ? 5_000 : 2_000);
    await broker.stop('SIGKILL');
    await sleep(1_000);
    broker = await BrokerProcess.start(brokerDir, first); // the same port
    await sleep(FULL ? 5_000 : 2_000);
    await broker.stop('SIGKILL');
    broker = await BrokerProcess.start(brokerDir, second); // the other address
    await sleep(FULL ? 5_000 : 2_000);
    stop = true;
    const acked = await posting;
    await expectAllHandled(
      journals,
      acked,
      'remote server killed and restarted twice (same port, then the other address)',
      120_000,
    );
    for (const app of apps) await app.stop();
    await broker.stop();
  }, 400_000);
});
