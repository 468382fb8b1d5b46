import { describe, expect, it } from '@jest/globals';
import {
  backoffDelay,
  parseAddress,
  parseConnectionString,
  parseDuration,
  resolveClientOptions,
} from '../../../lib/client/index.js';

describe('parseConnectionString', () => {
  it('reads user, password and one address', () => {
    expect(parseConnectionString('iggy://iggy:iggy@127.0.0.1:8090')).toEqual({
      credentials: { username: 'iggy', password: 'iggy' },
      addresses: [{ host: '127.0.0.1', port: 8090 }],
    });
  });

  it('URL-decodes user and password', () => {
    const o = parseConnectionString('iggy://us%40er:p%3Ass%40w%2Frd%25@host:1');
    expect(o.credentials).toEqual({ username: 'us@er', password: 'p:ss@w/rd%' });
  });

  it('reads a password that contains a raw @ (the last @ separates the hosts)', () => {
    expect(parseConnectionString('iggy://u:p@ss@h:2').credentials).toEqual({
      username: 'u',
      password: 'p@ss',
    });
  });

  it('reads userinfo without a colon as a personal access token', () => {
    expect(parseConnectionString('iggy://iggypat-abc%2B1@h:2').credentials).toEqual({
      token: 'iggypat-abc+1',
    });
  });

  it('reads several addresses in order, IPv6 included, default port 8090', () => {
    expect(parseConnectionString('iggy+tcp://u:p@a:1,[::1]:2,b').addresses).toEqual([
      { host: 'a', port: 1 },
      { host: '::1', port: 2 },
      { host: 'b', port: 8090 },
    ]);
  });

  it('reads options', () => {
    const o = parseConnectionString(
      'iggy://u:p@h:1?tls=true&tls_domain=iggy.local&tls_reject_unauthorized=false&reconnection_retries=5' +
        '&reconnection_interval=250ms&reconnection_max_interval=5s&heartbeat_interval=5s&request_timeout=1m' +
        '&connect_timeout=3s&max_in_flight=8',
    );
    expect(o).toMatchObject({
      tls: { servername: 'iggy.local', rejectUnauthorized: false },
      reconnect: { maxAttempts: 5, initialDelayMs: 250, maxDelayMs: 5000 },
      heartbeatIntervalMs: 5000,
      requestTimeoutMs: 60_000,
      connectTimeoutMs: 3000,
      maxInFlight: 8,
    });
    expect(parseConnectionString('iggy://u:p@h:1?reconnection_retries=0').reconnect).toEqual({
      enabled: false,
    });
    expect(parseConnectionString('iggy://u:p@h:1?reconnection_retries=unlimited').reconnect).toEqual({
      maxAttempts: Infinity,
    });
    expect(parseConnectionString('iggy://u:p@h:1?tls=false').tls).toBeUndefined();
  });

  it.each([
    ['http://u:p@h:1', /must start with/],
    ['iggy://h:1', /no credentials/],
    ['iggy://:p@h:1', /empty username or password/],
    ['iggy://u:@h:1', /empty username or password/],
    ['iggy://@h:1', /empty token/],
    ['iggy://u:p@h:x', /not a number/],
    ['iggy://u:p@h:70000', /1\.\.65535/],
    ['iggy://u:p@h:1,', /empty address/],
    ['iggy://u:p@:1', /no host/],
    ['iggy://u:p@h:1?nope=1', /unknown connection string option "nope"/],
    ['iggy://u:p@h:1?tls=yes', /neither true nor false/],
    ['iggy://u:p@h:1?tls_domain=x', /without tls=true/],
    ['iggy://u:p@h:1?request_timeout=soon', /not a duration/],
    ['iggy://u%ZZ:p@h:1', /URL encoding/],
    ['iggy://u:p@h:1?tls=true&tls_ca_file=/nonexistent/ca.pem', /cannot read/],
  ])('rejects %s with a Config error', (text, message) => {
    expect(() => parseConnectionString(text)).toThrow(
      expect.objectContaining({ kind: 'Config', message: expect.stringMatching(message) }),
    );
  });
});

describe('options', () => {
  it('parses durations', () => {
    expect(parseDuration('1500', 'x')).toBe(1500);
    expect(parseDuration('1.5s', 'x')).toBe(1500);
    expect(parseDuration('2m', 'x')).toBe(120_000);
    expect(parseDuration('1h', 'x')).toBe(3_600_000);
  });

  it('parses addresses', () => {
    expect(parseAddress('[fe80::1]')).toEqual({ host: 'fe80::1', port: 8090 });
    expect(parseAddress({ host: 'x', port: 9 })).toEqual({ host: 'x', port: 9 });
  });

  it('fills in defaults and rejects bad values', () => {
    const o = resolveClientOptions();
    expect(o).toMatchObject({
      addresses: [{ host: '127.0.0.1', port: 8090 }],
      requestTimeoutMs: 30_000,
      maxInFlight: 64,
      maxResponseBytes: 128 * 1024 * 1024,
      reconnect: { enabled: true, maxAttempts: Infinity },
    });
    expect(resolveClientOptions({ reconnect: false }).reconnect.enabled).toBe(false);
    expect(resolveClientOptions({ tls: true }).tls).toEqual({});
    expect(() => resolveClientOptions({ maxInFlight: 0 })).toThrow(
      expect.objectContaining({ kind: 'Config' }),
    );
    expect(() => resolveClientOptions({ maxInFlight: 1.5 })).toThrow(
      expect.objectContaining({ kind: 'Config' }),
    );
    expect(() => resolveClientOptions({ addresses: [] })).toThrow(
      expect.objectContaining({ kind: 'Config' }),
    );
    expect(() => resolveClientOptions({ reconnect: { jitter: 2 } })).toThrow(
      expect.objectContaining({ kind: 'Config' }),
    );
    expect(() => resolveClientOptions({ requestTimeoutMs: -1 })).toThrow(
      expect.objectContaining({ kind: 'Config' }),
    );
  });

  it('backs off exponentially up to the cap, with jitter taking at most `jitter` of the delay', () => {
    const policy = { initialDelayMs: 100, maxDelayMs: 1000, multiplier: 2, jitter: 0.5 };
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(policy, n, () => 0))).toEqual([100, 200, 400, 800, 1000]);
    expect(backoffDelay(policy, 3, () => 1)).toBe(200);
    expect(backoffDelay({ ...policy, jitter: 0 }, 3, () => 0.9)).toBe(400);
  });
});
