import type { CommandCodec } from '../../command-codec.js';
import { CommandCode } from '../../codes/command-codes.js';
import { IggyErrorCode } from '../../codes/error-codes.js';
import { decodePayload, encodePayload, readName, writeName } from '../payload.js';
import { decodeIdentityInfo, encodeIdentityInfo, type IdentityInfo } from './identity.layout.js';

/** LoginWithAccessToken request: `u8 len` · the raw personal access token. */
export interface LoginWithAccessTokenRequest {
  token: string;
}

/** LoginWithAccessToken (44): the response is the user id, as for LoginUser. */
export const loginWithAccessTokenCodec: CommandCodec<LoginWithAccessTokenRequest, IdentityInfo> = {
  name: 'LoginWithAccessToken',
  code: CommandCode.LoginWithAccessToken,
  encodeRequest: (req) =>
    encodePayload((w) => writeName(w, req.token, 'access token', IggyErrorCode.InvalidPersonalAccessToken)),
  decodeRequest: (payload) =>
    decodePayload(payload, 'LoginWithAccessToken request', (r) => ({
      token: readName(r, 'access token', IggyErrorCode.InvalidPersonalAccessToken),
    })),
  encodeResponse: encodeIdentityInfo,
  decodeResponse: (payload) => decodeIdentityInfo(payload, 'LoginWithAccessToken response'),
};
