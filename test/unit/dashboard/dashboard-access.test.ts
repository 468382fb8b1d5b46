import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from '@jest/globals';
import type { HttpCredentials } from '../../../lib/broker/http/http-access.js';
import {
  DashboardAccess,
  credentialsOf,
  type CredentialCheck,
} from '../../../lib/dashboard/nest/dashboard-access.js';

function request(headers: Record<string, string> = {}, url = '/iggy'): IncomingMessage {
  return {
    headers: { host: '127.0.0.1:3000', ...headers },
    url,
    socket: { remoteAddress: '10.0.0.9', remotePort: 50000 },
  } as unknown as IncomingMessage;
}

const basic = (user: string, password: string): string =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** Users: `ops`/`secret` may read, `guest`/`guest` may not, PAT `pat-1` is ops's. */
function users(calls: HttpCredentials[] = []): CredentialCheck {
  return async (credentials) => {
    calls.push(credentials);
    if (credentials.kind !== 'password') return credentials.token === 'pat-1' ? 'ok' : 'invalid';
    if (credentials.username === 'ops' && credentials.password === 'secret') return 'ok';
    if (credentials.username === 'guest' && credentials.password === 'guest') return 'forbidden';
    return 'invalid';
  };
}

describe('DashboardAccess', () => {
  it('is open on loopback, to requests that name a loopback host (or an allowed one) only', async () => {
    const access = new DashboardAccess({ boundHost: () => '127.0.0.1', allowedHosts: ['shop.internal'] });
    expect(await access.check(request())).toBeNull();
    expect(await access.check(request({ host: 'localhost:3000' }))).toBeNull();
    expect(await access.check(request({ host: '[::1]:3000' }))).toBeNull();
    expect(await access.check(request({ host: 'shop.internal' }))).toBeNull();
    expect(await access.check(request({ host: 'evil.example:3000' }))).toMatchObject({
      status: 403,
      error: expect.stringContaining("Host 'evil.example'"),
    });
  });

  it('off loopback asks for credentials and checks them against the users, remembering a success', async () => {
    const calls: HttpCredentials[] = [];
    const access = new DashboardAccess({ boundHost: () => '0.0.0.0', users: users(calls) });
    expect(await access.check(request())).toMatchObject({
      status: 401,
      headers: { 'WWW-Authenticate': 'Basic realm="iggy", Bearer realm="iggy"' },
    });
    expect(await access.check(request({ authorization: basic('ops', 'wrong') }))).toMatchObject({
      status: 401,
    });
    expect(await access.check(request({ authorization: basic('guest', 'guest') }))).toMatchObject({
      status: 403,
      error: 'this user may not read streams',
    });
    expect(await access.check(request({ authorization: basic('ops', 'secret') }))).toBeNull();
    expect(await access.check(request({ authorization: basic('ops', 'secret') }))).toBeNull();
    expect(await access.check(request({ authorization: 'Bearer pat-1' }))).toBeNull();
    expect(await access.check(request({}, '/iggy/events?token=pat-1'))).toBeNull();
    // The second ops check and the second pat-1 check were remembered: no password hashed again.
    expect(calls.filter((c) => c.kind === 'password' && c.username === 'ops')).toHaveLength(2);
    expect(calls.filter((c) => c.kind === 'accessToken')).toHaveLength(1);
  });

  it("off loopback accepts the dashboard's own token, in the header or the URL, and nothing else without users", async () => {
    const access = new DashboardAccess({ boundHost: () => '10.1.2.3', token: 't0ken' });
    expect(await access.check(request({ authorization: 'Bearer t0ken' }))).toBeNull();
    expect(await access.check(request({}, '/iggy/snapshot?token=t0ken'))).toBeNull();
    expect(await access.check(request({ authorization: 'Bearer other' }))).toMatchObject({
      status: 401,
      headers: { 'WWW-Authenticate': 'Bearer realm="iggy"' },
    });
    expect(await access.check(request({ authorization: basic('ops', 'secret') }))).toMatchObject({
      status: 401,
    });
  });

  it('refuses everything when exposed with nothing to check credentials against, or when the address is unknown', async () => {
    const bare = new DashboardAccess({ boundHost: () => '0.0.0.0' });
    expect(await bare.check(request({ authorization: 'Bearer x' }))).toMatchObject({
      status: 403,
      error: expect.stringContaining('give it a token'),
    });
    const unknown = new DashboardAccess({ boundHost: () => undefined, token: 'x' });
    expect(await unknown.check(request())).toMatchObject({ status: 401 });
    const strict = new DashboardAccess({
      boundHost: () => '127.0.0.1',
      token: 'x',
      alwaysRequireCredentials: true,
    });
    expect(await strict.check(request())).toMatchObject({ status: 401 });
    expect(await strict.check(request({ authorization: 'Bearer x' }))).toBeNull();
  });

  it('reads credentials from Basic, Bearer or the token parameter', () => {
    expect(credentialsOf(request({ authorization: basic('a', 'b:c') }))).toEqual({
      kind: 'password',
      username: 'a',
      password: 'b:c',
    });
    expect(credentialsOf(request({ authorization: 'bearer abc' }))).toEqual({
      kind: 'accessToken',
      token: 'abc',
    });
    expect(credentialsOf(request({}, '/x?token=a%2Bb'))).toEqual({ kind: 'accessToken', token: 'a+b' });
    expect(credentialsOf(request({ authorization: 'Basic bm9jb2xvbg==' }))).toBeNull();
    expect(credentialsOf(request())).toBeNull();
  });
});
