import type { CommandCodec } from '../../command-codec.js';
import { CommandCode } from '../../codes/command-codes.js';
import { BinaryReader } from '../../primitives/binary-reader.js';
import { BinaryWriter } from '../../primitives/binary-writer.js';
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
  encodeRequest(req) {
    const w = new BinaryWriter(48);
    writeAccessTokenName(w, req.name);
    w.u64(req.expiry);
    return w.finish();
  },
  decodeRequest(payload) {
    const r = new BinaryReader(payload, 'CreateAccessToken request');
    const name = readAccessTokenName(r);
    const expiry = r.u64('expiry');
    r.finish();
    return { name, expiry };
  },
  encodeResponse: (raw) => new BinaryWriter(64).str8(raw.token, 'access token').finish(),
  decodeResponse(payload) {
    const r = new BinaryReader(payload, 'CreateAccessToken response');
    const token = r.str8('access token');
    r.finish();
    return { token };
  },
};
