import type { CommandCodec } from '../../command-codec.js';
import { CommandCode } from '../../codes/command-codes.js';
import { BinaryReader } from '../../primitives/binary-reader.js';
import { BinaryWriter } from '../../primitives/binary-writer.js';
import { emptyPayload, expectEmpty, readUntilEnd } from '../system/payload-helpers.js';
import { readAccessTokenInfo, writeAccessTokenInfo, type AccessTokenInfo } from './access-token.layout.js';

/** GetAccessTokens (41): empty request; the response is token records back to back (no count). */
export const getAccessTokensCodec: CommandCodec<void, AccessTokenInfo[]> = {
  name: 'GetAccessTokens',
  code: CommandCode.GetAccessTokens,
  encodeRequest: () => emptyPayload(),
  decodeRequest: (payload) => expectEmpty(payload, 'GetAccessTokens request'),
  encodeResponse(tokens) {
    const w = new BinaryWriter();
    for (const t of tokens) writeAccessTokenInfo(w, t);
    return w.finish();
  },
  decodeResponse: (payload) =>
    readUntilEnd(new BinaryReader(payload, 'GetAccessTokens response'), readAccessTokenInfo),
};
