import type { CommandCodec } from '../../command-codec.js';
import { CommandCode } from '../../codes/command-codes.js';
import { IggyErrorCode } from '../../codes/error-codes.js';
import { BinaryReader } from '../../primitives/binary-reader.js';
import { BinaryWriter } from '../../primitives/binary-writer.js';
import { readShortString, writeShortString } from '../system/payload-helpers.js';
import { decodeIdentityInfo, encodeIdentityInfo, type IdentityInfo } from './identity.layout.js';

/** LoginWithAccessToken request: `u8 len` · the raw personal access token. */
export interface LoginWithAccessTokenRequest {
  token: string;
}

/** LoginWithAccessToken (44): the response is the user id, as for LoginUser. */
export const loginWithAccessTokenCodec: CommandCodec<LoginWithAccessTokenRequest, IdentityInfo> = {
  name: 'LoginWithAccessToken',
  code: CommandCode.LoginWithAccessToken,
  encodeRequest(req) {
    const w = new BinaryWriter(64);
    writeShortString(w, req.token, 'access token', IggyErrorCode.InvalidPersonalAccessToken);
    return w.finish();
  },
  decodeRequest(payload) {
    const r = new BinaryReader(payload, 'LoginWithAccessToken request');
    const token = readShortString(r, 'access token', IggyErrorCode.InvalidPersonalAccessToken);
    r.finish();
    return { token };
  },
  encodeResponse: encodeIdentityInfo,
  decodeResponse: (payload) => decodeIdentityInfo(payload, 'LoginWithAccessToken response'),
};
