import type { CommandCodec } from '../../command-codec.js';
import { CommandCode } from '../../codes/command-codes.js';
import { decodePayload, encodePayload } from '../payload.js';
import { readAccessTokenName, writeAccessTokenName } from './access-token.layout.js';

/** CreateAccessToken request: `u8 len` · name · `u64 expiry`. */
export interface CreateAccessTokenRequest {
  name: string;
  /** Lifetime in µs; `AccessTokenExpiry.ServerDefault` (0) or `AccessTokenExpiry.Never` (u64::MAX). */
  expiry: bigint;
}

/** CreateAccessToken response: the raw token (`u8 len` · token), shown only this once. */
export interface RawAccessToken {
  token: string;
}

/** CreateAccessToken (42). */
export const createAccessTokenCodec: CommandCodec<CreateAccessTokenRequest, RawAccessToken> = {
  name: 'CreateAccessToken',
  code: CommandCode.CreateAccessToken,
  encodeRequest: (req) =>
    encodePayload((w) => {
      writeAccessTokenName(w, req.name);
      w.u64(req.expiry);
    }, 48),
  decodeRequest: (payload) =>
    decodePayload(payload, 'CreateAccessToken request', (r) => {
      const name = readAccessTokenName(r);
      return { name, expiry: r.u64('expiry') };
    }),
  encodeResponse: (raw) => encodePayload((w) => w.str8(raw.token, 'access token')),
  decodeResponse: (payload) =>
    decodePayload(payload, 'CreateAccessToken response', (r) => ({ token: r.str8('access token') })),
};
