import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { BrokerProcess, cleanUp, eventually, SampleAppProcess, tempDir } from '../support/app-process.js';
import { ensureBuilt } from '../support/build-once.js';
import { handled, order, readJournal } from './e2e-kit.js';

interface HealthBody {
  status: 'ok' | 'error';
  details: { iggy: { status: 'up' | 'down'; connected: boolean; reasons: string[] } };
}

describe('sample app health against a standalone broker', () => {
  beforeAll(ensureBuilt, 180_000);
  afterAll(cleanUp);

  it('GET /health is up, turns down (503) when the broker stops, and up again after it restarts', async () => {
    const dir = tempDir();
    const brokerDir = join(dir, 'broker');
    const journal = join(dir, 'journal.jsonl');
    let broker = await BrokerProcess.start(brokerDir);
    const app = await SampleAppProcess.start({
      IGGY_MODE: 'remote',
      IGGY_ADDRESSES: `127.0.0.1:${broker.port}`,
      SAMPLE_JOURNAL: journal,
    });
    const up = await app.get<HealthBody>('/health');
    expect(up.status).toBe(200);
    expect(up.body).toMatchObject({ status: 'ok', details: { iggy: { status: 'up', connected: true } } });

    await broker.stop('SIGTERM');
    const stoppedAt = Date.now();
    const down = await eventually(
      'health down',
      async () => {
        const reply = await app.get<HealthBody>('/health');
        return reply.status === 503 && reply;
      },
      10_000,
      100,
    );
    expect(Date.now() - stoppedAt).toBeLessThan(10_000);
    expect(down.body.status).toBe('error');
    expect(down.body.details.iggy.status).toBe('down');
    expect(down.body.details.iggy.reasons.join('; ')).toMatch(/not connected|ping failed/);

    // The same broker (same port, same data) comes back: the app reconnects by itself.
    broker = await BrokerProcess.start(brokerDir, broker.port);
    await eventually('health up again', async () => (await app.get('/health')).status === 200, 30_000, 200);
    expect((await app.post('/orders', order('acme', 'after-restart'))).status).toBe(201);
    await eventually(
      'the order placed after the restart billed',
      () => handled(readJournal(journal), 'billing').some((e) => e.orderId === 'after-restart'),
      30_000,
    );
    await app.stop();
    await broker.stop();
  }, 90_000);
});
