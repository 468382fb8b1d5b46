import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { IggyErrorCode } from '../../../../lib/protocol/codes/error-codes.js';
import {
  AccessTokenExpiry,
  type AccessTokenInfo,
} from '../../../../lib/protocol/commands/access-tokens/access-token.layout.js';
import { createAccessTokenCodec } from '../../../../lib/protocol/commands/access-tokens/create-access-token.js';
import { deleteAccessTokenCodec } from '../../../../lib/protocol/commands/access-tokens/delete-access-token.js';
import { getAccessTokensCodec } from '../../../../lib/protocol/commands/access-tokens/get-access-tokens.js';
import { ProtocolError } from '../../../../lib/protocol/protocol-error.js';
import { le, text, u64 } from './fixtures.js';

describe('CreateAccessToken', () => {
  it('encodes name and u64 expiry; the response is the u8-length raw token', () => {
    const req = { name: 'ci-token', expiry: AccessTokenExpiry.Never };
    const bytes = createAccessTokenCodec.encodeRequest(req);
    expect(bytes.toString('hex')).toBe(le.cat(le.str8('ci-token'), le.u64((1n << 64n) - 1n)).toString('hex'));
    expect(createAccessTokenCodec.decodeRequest(bytes)).toEqual(req);
    const token = 'x'.repeat(68);
    const response = createAccessTokenCodec.encodeResponse({ token });
    expect(response.toString('hex')).toBe(le.str8(token).toString('hex'));
    expect(createAccessTokenCodec.decodeResponse(response)).toEqual({ token });
  });

  it('rejects a missing expiry and an empty name with InvalidPersonalAccessTokenName', () => {
    expect(() => createAccessTokenCodec.decodeRequest(le.str8('name'))).toThrow(ProtocolError);
    try {
      createAccessTokenCodec.decodeRequest(le.cat(le.u8(0), le.u64(0n)));
      throw new Error('accepted an empty name');
    } catch (err) {
      expect((err as ProtocolError).code).toBe(IggyErrorCode.InvalidPersonalAccessTokenName);
    }
  });

  it('round-trips requests and responses', () => {
    fc.assert(
      fc.property(text(1), u64, text(), (name, expiry, token) => {
        const codec = createAccessTokenCodec;
        expect(codec.decodeRequest(codec.encodeRequest({ name, expiry }))).toEqual({ name, expiry });
        expect(codec.decodeResponse(codec.encodeResponse({ token }))).toEqual({ token });
      }),
    );
  });
});

describe('DeleteAccessToken', () => {
  it('encodes the name; empty response', () => {
    expect(deleteAccessTokenCodec.encodeRequest({ name: 'abc' }).toString('hex')).toBe('03616263');
    expect(() => deleteAccessTokenCodec.decodeRequest(Buffer.from('0461', 'hex'))).toThrow(ProtocolError);
    expect(deleteAccessTokenCodec.encodeResponse()).toHaveLength(0);
    fc.assert(
      fc.property(text(1), (name) => {
        expect(deleteAccessTokenCodec.decodeRequest(deleteAccessTokenCodec.encodeRequest({ name }))).toEqual({
          name,
        });
      }),
    );
  });
});

describe('GetAccessTokens', () => {
  it('encodes the response as (name, u64 expiry at, 0 = never) back to back', () => {
    const tokens: AccessTokenInfo[] = [
      { name: 'a-token', expiryAt: 1_700_000_000_000_000n },
      { name: 'forever', expiryAt: null },
    ];
    const expected = le.cat(
      le.str8('a-token'),
      le.u64(1_700_000_000_000_000n),
      le.str8('forever'),
      le.u64(0n),
    );
    expect(getAccessTokensCodec.encodeResponse(tokens).toString('hex')).toBe(expected.toString('hex'));
    expect(getAccessTokensCodec.decodeResponse(expected)).toEqual(tokens);
    expect(getAccessTokensCodec.decodeResponse(Buffer.alloc(0))).toEqual([]);
    expect(() => getAccessTokensCodec.decodeResponse(expected.subarray(0, 10))).toThrow(ProtocolError);
    expect(getAccessTokensCodec.encodeRequest()).toHaveLength(0);
  });

  it('round-trips responses', () => {
    const token = fc.record({
      name: text(),
      expiryAt: fc.option(fc.bigInt({ min: 1n, max: (1n << 64n) - 1n })),
    });
    fc.assert(
      fc.property(fc.array(token, { maxLength: 5 }), (list) => {
        expect(getAccessTokensCodec.decodeResponse(getAccessTokensCodec.encodeResponse(list))).toEqual(list);
      }),
    );
  });
});
