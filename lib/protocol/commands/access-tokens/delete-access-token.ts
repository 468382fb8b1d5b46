import type { CommandCodec } from '../../command-codec.js';
import { CommandCode } from '../../codes/command-codes.js';
import { decodePayload, emptyPayload, encodePayload, expectEmpty } from '../payload.js';
import { readAccessTokenName, writeAccessTokenName } from './access-token.layout.js';

/** DeleteAccessToken request: `u8 len` · token name. */
export interface DeleteAccessTokenRequest {
  name: string;
}

/** DeleteAccessToken (43): empty response. */
export const deleteAccessTokenCodec: CommandCodec<DeleteAccessTokenRequest, void> = {
  name: 'DeleteAccessToken',
  code: CommandCode.DeleteAccessToken,
  encodeRequest: (req) => encodePayload((w) => writeAccessTokenName(w, req.name), 32),
  decodeRequest: (payload) =>
    decodePayload(payload, 'DeleteAccessToken request', (r) => ({ name: readAccessTokenName(r) })),
  encodeResponse: () => emptyPayload(),
  decodeResponse: (payload) => expectEmpty(payload, 'DeleteAccessToken response'),
};
