import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { IggyErrorCode } from '../../../../lib/protocol/codes/error-codes.js';
import {
  loginUserCodec,
  type LoginUserRequest,
} from '../../../../lib/protocol/commands/session/login-user.js';
import { loginWithAccessTokenCodec } from '../../../../lib/protocol/commands/session/login-with-access-token.js';
import { logoutUserCodec } from '../../../../lib/protocol/commands/session/logout-user.js';
import { ProtocolError } from '../../../../lib/protocol/protocol-error.js';
import { le, text, u32 } from './fixtures.js';

function codeOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof ProtocolError) return err.code;
    throw err;
  }
  return undefined;
}

describe('LoginUser', () => {
  it('encodes username, password and u32-length version and context (0 when absent)', () => {
    const bytes = loginUserCodec.encodeRequest({ username: 'iggy', password: 'iggy' });
    expect(bytes.toString('hex')).toBe(
      le.cat(le.str8('iggy'), le.str8('iggy'), le.u32(0), le.u32(0)).toString('hex'),
    );
    const full = { username: 'u', password: 'p', version: '1.0.0', context: 'nestjs' };
    expect(loginUserCodec.encodeRequest(full).toString('hex')).toBe(
      le.cat(le.str8('u'), le.str8('p'), le.str32('1.0.0'), le.str32('nestjs')).toString('hex'),
    );
  });

  it('reads requests of older clients that leave version and context out', () => {
    const old = le.cat(le.str8('iggy'), le.str8('secret'));
    expect(loginUserCodec.decodeRequest(old)).toEqual({ username: 'iggy', password: 'secret' });
    const versionOnly = le.cat(old, le.str32('2.0'));
    expect(loginUserCodec.decodeRequest(versionOnly)).toEqual({
      username: 'iggy',
      password: 'secret',
      version: '2.0',
    });
  });

  it('rejects 1..3 stray bytes where a length field belongs, and empty credentials with the server codes', () => {
    expect(() =>
      loginUserCodec.decodeRequest(le.cat(le.str8('a'), le.str8('b'), Buffer.from([0, 0]))),
    ).toThrow(ProtocolError);
    expect(codeOf(() => loginUserCodec.decodeRequest(le.cat(le.u8(0), le.str8('b'))))).toBe(
      IggyErrorCode.InvalidUsername,
    );
    expect(codeOf(() => loginUserCodec.decodeRequest(le.cat(le.str8('a'), le.u8(0))))).toBe(
      IggyErrorCode.InvalidPassword,
    );
    expect(codeOf(() => loginUserCodec.encodeRequest({ username: 'x'.repeat(256), password: 'p' }))).toBe(
      IggyErrorCode.InvalidUsername,
    );
  });

  it('round-trips requests and the u32 user id response', () => {
    const req: fc.Arbitrary<LoginUserRequest> = fc.record(
      { username: text(1), password: text(1), version: text(1, 100), context: text(1, 100) },
      { requiredKeys: ['username', 'password'] },
    );
    fc.assert(
      fc.property(req, u32, (r, userId) => {
        expect(loginUserCodec.decodeRequest(loginUserCodec.encodeRequest(r))).toEqual(r);
        const response = loginUserCodec.encodeResponse({ userId });
        expect(response.toString('hex')).toBe(le.u32(userId).toString('hex'));
        expect(loginUserCodec.decodeResponse(response)).toEqual({ userId });
      }),
    );
    expect(() => loginUserCodec.decodeResponse(Buffer.alloc(5))).toThrow(ProtocolError);
  });
});

describe('LoginWithAccessToken', () => {
  it('encodes the token as a u8-length string and answers the user id', () => {
    expect(loginWithAccessTokenCodec.encodeRequest({ token: 'abc' }).toString('hex')).toBe('03616263');
    expect(codeOf(() => loginWithAccessTokenCodec.decodeRequest(Buffer.from([0])))).toBe(
      IggyErrorCode.InvalidPersonalAccessToken,
    );
    fc.assert(
      fc.property(text(1), u32, (token, userId) => {
        const codec = loginWithAccessTokenCodec;
        expect(codec.decodeRequest(codec.encodeRequest({ token }))).toEqual({ token });
        expect(codec.decodeResponse(codec.encodeResponse({ userId }))).toEqual({ userId });
      }),
    );
  });
});

describe('LogoutUser', () => {
  it('is empty both ways', () => {
    expect(logoutUserCodec.encodeRequest()).toHaveLength(0);
    expect(logoutUserCodec.encodeResponse()).toHaveLength(0);
    expect(() => logoutUserCodec.decodeRequest(Buffer.alloc(0))).not.toThrow();
    expect(() => logoutUserCodec.decodeResponse(Buffer.from([1]))).toThrow(ProtocolError);
  });
});
