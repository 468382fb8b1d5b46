import { describe, expect, it } from '@jest/globals';
import { WakeableDelay } from '../../../lib/common/wakeable-delay.js';

/** Resolves to 'slept' or 'pending' after a short grace, to see whether `sleep` has ended. */
const settled = (sleep: Promise<void>): Promise<string> =>
  Promise.race([sleep.then(() => 'slept'), new Promise<string>((r) => setTimeout(() => r('pending'), 50))]);

describe('WakeableDelay', () => {
  it('sleeps for the time given', async () => {
    const delay = new WakeableDelay();
    expect(await settled(delay.sleep(5))).toBe('slept');
    const long = delay.sleep(60_000);
    expect(await settled(long)).toBe('pending');
    delay.wake();
    await long;
  });

  it('wake() ends every sleep under way, and later sleeps sleep again', async () => {
    const delay = new WakeableDelay();
    const sleeps = [delay.sleep(60_000), delay.sleep(60_000), delay.sleep(60_000)];
    delay.wake();
    expect(await Promise.all(sleeps.map(settled))).toEqual(['slept', 'slept', 'slept']);
    const next = delay.sleep(60_000);
    expect(await settled(next)).toBe('pending');
    expect(delay.closed).toBe(false);
    delay.wake();
    await next;
  });

  it('close() ends the sleeps under way and every later one at once', async () => {
    const delay = new WakeableDelay();
    const before = delay.sleep(60_000);
    delay.close();
    expect(await settled(before)).toBe('slept');
    expect(delay.closed).toBe(true);
    expect(await settled(delay.sleep(60_000))).toBe('slept');
  });
});
