import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { BrokerProcess, cleanUp, SampleAppProcess, tempDir } from '../support/app-process.js';
import { ensureBuilt } from '../support/build-once.js';

/*
 * Remote mode with the broker gone (issue 12): a request used to wait for the 30 s request timeout, and
 * SIGTERM then took ~31 s, past the handlers' shutdown timeout and a Kubernetes grace period. Now a
 * publish fails with the connector's error after `IGGY_OFFLINE_TIMEOUT_MS`, and shutdown is bounded.
 */
const QUOTE = { tenantId: 'acme', items: [{ sku: 'book', quantity: 2 }] };

describe('sample app in remote mode while the broker is down', () => {
  beforeAll(ensureBuilt, 180_000);
  afterAll(cleanUp);

  it('fails a request fast with the publish error, not the request timeout, and stops on SIGTERM in bounded time', async () => {
    const dir = tempDir();
    const broker = await BrokerProcess.start(join(dir, 'broker'));
    const app = await SampleAppProcess.start({
      IGGY_MODE: 'remote',
      IGGY_ADDRESSES: `127.0.0.1:${broker.port}`,
      IGGY_OFFLINE_TIMEOUT_MS: '500',
      IGGY_REQUEST_REPLY_TIMEOUT_MS: '20000',
      IGGY_HANDLER_SHUTDOWN_TIMEOUT_MS: '3000',
      IGGY_SHUTDOWN_TIMEOUT_MS: '2000',
      SAMPLE_JOURNAL: join(dir, 'journal.jsonl'),
    });
    expect((await app.post('/quotes', QUOTE)).status).toBe(200);

    await broker.stop('SIGTERM');
    const askedAt = Date.now();
    const quote = await app.post('/quotes', QUOTE);
    // Not the 504 of a request that timed out (20 s): the publish itself failed (Connection) at once.
    expect(quote.status).toBe(500);
    expect(Date.now() - askedAt).toBeLessThan(15_000);

    const signalledAt = Date.now();
    const exit = await app.stop('SIGTERM', 25_000);
    expect(exit.signal === 'SIGTERM' || exit.code === 0).toBe(true);
    // handlers (3 s) + client and connector (2 s each), with room for a busy machine; it was ~31 s
    expect(Date.now() - signalledAt).toBeLessThan(20_000);
  }, 90_000);
});
