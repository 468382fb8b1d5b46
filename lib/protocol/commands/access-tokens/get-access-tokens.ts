import type { CommandCodec } from '../../command-codec.js';
import { CommandCode } from '../../codes/command-codes.js';
import { decodePayload, emptyPayload, encodePayload, expectEmpty, readToEnd } from '../payload.js';
import { readAccessTokenInfo, writeAccessTokenInfo, type AccessTokenInfo } from './access-token.layout.js';

/** GetAccessTokens (41): empty request; the response is token records back to back (no count). */
export const getAccessTokensCodec: CommandCodec<void, AccessTokenInfo[]> = {
  name: 'GetAccessTokens',
  code: CommandCode.GetAccessTokens,
  encodeRequest: () => emptyPayload(),
  decodeRequest: (payload) => expectEmpty(payload, 'GetAccessTokens request'),
  encodeResponse: (tokens) =>
    encodePayload((w) => {
      for (const t of tokens) writeAccessTokenInfo(w, t);
    }),
  decodeResponse: (payload) =>
    decodePayload(payload, 'GetAccessTokens response', (r) => readToEnd(r, readAccessTokenInfo)),
};
