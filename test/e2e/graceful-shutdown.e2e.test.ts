import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { cleanUp, eventually, SampleAppProcess, tempDir } from '../support/app-process.js';
import { ensureBuilt } from '../support/build-once.js';
import { appEnvIn, order, readJournal } from './e2e-kit.js';

describe('sample app shutdown', () => {
  beforeAll(ensureBuilt, 180_000);
  afterAll(cleanUp);

  it('SIGTERM waits for a handler in flight, commits it, and a restart does not handle it again', async () => {
    const dir = tempDir();
    const { journal, env } = appEnvIn(dir);
    const first = await SampleAppProcess.start({ ...env, SAMPLE_INSTANCE: 'first' });
    expect((await first.post('/orders', order('acme', 'slow-1', { processingMs: 2_000 }))).status).toBe(201);
    const started = await eventually('billing started on slow-1', () =>
      readJournal(journal).find((e) => e.group === 'billing' && e.phase === 'started'),
    );

    const signalledAt = Date.now();
    const exit = await first.stop('SIGTERM');
    const exitedAt = Date.now();
    expect(exit.signal === 'SIGTERM' || exit.code === 0).toBe(true);
    const billed = readJournal(journal).find((e) => e.group === 'billing' && e.phase === 'handled');
    // The handler finished in the dying process, before it exited, about 2 s after it started.
    expect(billed).toMatchObject({ run: started.run, orderId: 'slow-1', eventId: started.eventId });
    expect(Date.parse(billed!.at)).toBeGreaterThanOrEqual(signalledAt);
    expect(Date.parse(billed!.at)).toBeLessThanOrEqual(exitedAt);
    expect(first.output).not.toMatch(/still running after/);

    // Restart: slow-1's offset was committed at shutdown, so billing does not see it again; the invoice
    // billing issued while shutting down is notified (by the first run or, if it had stopped, this one).
    const second = await SampleAppProcess.start({ ...env, SAMPLE_INSTANCE: 'second' });
    expect((await second.post('/orders', order('acme', 'next-2'))).status).toBe(201);
    await eventually('next-2 billed and notified', () => {
      const entries = readJournal(journal);
      const has = (group: string, type: string, id: string): boolean =>
        entries.some(
          (e) => e.phase === 'handled' && e.group === group && e.type === type && e.orderId === id,
        );
      return (
        has('billing', 'order.created', 'next-2') &&
        has('notifications', 'invoice.issued', 'next-2') &&
        has('notifications', 'invoice.issued', 'slow-1')
      );
    });
    const billing = readJournal(journal).filter((e) => e.group === 'billing' && e.phase === 'handled');
    expect(billing.map((e) => `${e.orderId}@${e.run === started.run ? 1 : 2}`)).toEqual([
      'slow-1@1',
      'next-2@2',
    ]);
    await second.stop();
  }, 60_000);
});
