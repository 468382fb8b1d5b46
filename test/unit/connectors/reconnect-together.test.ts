import { afterEach, describe, expect, it } from '@jest/globals';
import { IggyClient } from '../../../lib/client/index.js';
import { ReconnectTogether } from '../../../lib/connectors/reconnect-together.js';
import { FakeIggyPeer } from '../../support/fake-iggy-peer.js';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

describe('ReconnectTogether', () => {
  it('when one connection gets through again, the others stop waiting out their backoff', async () => {
    const peer = await FakeIggyPeer.start();
    cleanup.push(() => peer.close());
    const client = (delayMs: number) => {
      const c = new IggyClient({
        addresses: [peer.address],
        reconnect: { initialDelayMs: delayMs, maxDelayMs: delayMs, jitter: 0 },
        detectServerVersion: false,
      });
      cleanup.push(() => c.close());
      return c;
    };
    const quick = client(20);
    const slow = client(30_000); // alone, it would be back after 30 s
    await Promise.all([quick.connect(), slow.connect()]);
    const together = new ReconnectTogether();
    together.add(quick);
    together.add(slow);
    await peer.waitForConnections(2); // the server has accepted both (connect() resolves on the client's side)
    const slowWaits = new Promise((resolve) => slow.once('reconnecting', resolve));
    peer.dropConnections();
    await slowWaits;
    const started = Date.now();
    await new Promise((resolve) => slow.once('connected', resolve));
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(quick.state).toBe('ready');
    await expect(slow.ping()).resolves.toBeUndefined();
  });
});
