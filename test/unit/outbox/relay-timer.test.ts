import { describe, expect, it } from '@jest/globals';
import { RelayTimer } from '../../../lib/outbox/relay-timer.js';

async function took(p: Promise<void>): Promise<number> {
  const t = performance.now();
  await p;
  return performance.now() - t;
}

describe('RelayTimer', () => {
  it('a wake ends a poll sleep, not a backoff', async () => {
    const timer = new RelayTimer();
    const poll = took(timer.sleep(5000, true));
    timer.wake();
    expect(await poll).toBeLessThan(100);
    const backoff = took(timer.sleep(80, false));
    timer.wake();
    expect(await backoff).toBeGreaterThanOrEqual(70);
  });

  it('keeps a wake that came while busy, unless cleared before a claim', async () => {
    const timer = new RelayTimer();
    timer.wake();
    expect(await took(timer.sleep(5000, true))).toBeLessThan(100);
    timer.wake();
    timer.clearPending();
    expect(await took(timer.sleep(30, true))).toBeGreaterThanOrEqual(25);
  });

  it('stop ends any sleep and the ones after it', async () => {
    const timer = new RelayTimer();
    const sleeping = took(timer.sleep(5000, false));
    timer.stop();
    expect(await sleeping).toBeLessThan(100);
    expect(await took(timer.sleep(5000, true))).toBeLessThan(100);
  });

  it('retryNow ends any sleep under way, a backoff too', async () => {
    const timer = new RelayTimer();
    const backoff = took(timer.sleep(5000, false));
    timer.retryNow();
    expect(await backoff).toBeLessThan(100);
  });
});
