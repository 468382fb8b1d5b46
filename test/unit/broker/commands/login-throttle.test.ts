import { describe, expect, it } from '@jest/globals';
import type { BrokerSession } from '../../../../lib/broker/broker-session.js';
import { hostOf, LoginThrottle } from '../../../../lib/broker/commands/login-throttle.js';
import { Transport } from '../../../../lib/broker/types.js';
import { expectCode, memoryBroker } from '../broker-kit.js';

describe('LoginThrottle', () => {
  it('blocks an address past maxFailures in the window, doubling the block at each further failure', () => {
    let now = 0;
    const throttle = new LoginThrottle(
      { maxFailures: 2, windowMs: 60_000, blockMs: 1_000, maxBlockMs: 3_000 },
      () => now,
    );
    throttle.failed('10.0.0.1');
    throttle.failed('10.0.0.1');
    expect(throttle.retryAfterMs('10.0.0.1')).toBe(0);
    throttle.failed('10.0.0.1');
    expect(throttle.retryAfterMs('10.0.0.1')).toBe(1_000);
    expect(throttle.retryAfterMs('10.0.0.2')).toBe(0);
    now += 1_000;
    throttle.failed('10.0.0.1');
    expect(throttle.retryAfterMs('10.0.0.1')).toBe(2_000);
    now += 2_000;
    throttle.failed('10.0.0.1');
    expect(throttle.retryAfterMs('10.0.0.1')).toBe(3_000); // capped
    throttle.succeeded('10.0.0.1');
    expect(throttle.retryAfterMs('10.0.0.1')).toBe(0);
  });

  it('keys on the address without its port', () => {
    expect(hostOf('10.0.0.1:5000')).toBe('10.0.0.1');
    expect(hostOf('[::1]:5000')).toBe('::1');
    expect(hostOf('::1')).toBe('::1');
    expect(hostOf('in-process')).toBe('in-process');
  });
});

describe('Broker: failed logins throttled per client address', () => {
  it('refuses even the right password from a blocked address, without checking it; other addresses log in', async () => {
    const { broker } = await memoryBroker({ loginThrottle: { maxFailures: 3, blockMs: 60_000 } });
    try {
      const attacker = (): BrokerSession =>
        broker.connect(Transport.Tcp, `10.9.9.9:${40000 + Math.floor(Math.random() * 1000)}`);
      for (let i = 0; i < 4; i++)
        await expectCode(attacker().login('iggy', `guess-${i}`), 'InvalidCredentials');
      const blocked = await expectCode(attacker().login('iggy', 'iggy'), 'InvalidCredentials');
      expect(blocked.message).toMatch(
        /too many failed logins from 10\.9\.9\.9: credentials are not checked for \d+ s/,
      );
      await expectCode(attacker().loginWithToken('whatever'), 'InvalidCredentials');
      const other = broker.connect(Transport.Tcp, '10.1.1.1:1');
      await other.login('iggy', 'iggy');
    } finally {
      await broker.close();
    }
  });
});
