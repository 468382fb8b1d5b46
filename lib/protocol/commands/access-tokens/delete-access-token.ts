import type { CommandCodec } from '../../command-codec.js';
import { CommandCode } from '../../codes/command-codes.js';
import { BinaryReader } from '../../primitives/binary-reader.js';
import { BinaryWriter } from '../../primitives/binary-writer.js';
import { emptyPayload, expectEmpty } from '../system/payload-helpers.js';
import { readAccessTokenName, writeAccessTokenName } from './access-token.layout.js';

/** DeleteAccessToken request: `u8 len` · token name. */
export interface DeleteAccessTokenRequest {
  name: string;
}

/** DeleteAccessToken (43): empty response. */
export const deleteAccessTokenCodec: CommandCodec<DeleteAccessTokenRequest, void> = {
  name: 'DeleteAccessToken',
  code: CommandCode.DeleteAccessToken,
  encodeRequest(req) {
    const w = new BinaryWriter(32);
    writeAccessTokenName(w, req.name);
    return w.finish();
  },
  decodeRequest(payload) {
    const r = new BinaryReader(payload, 'DeleteAccessToken request');
    const name = readAccessTokenName(r);
    r.finish();
    return { name };
  },
  encodeResponse: () => emptyPayload(),
  decodeResponse: (payload) => expectEmpty(payload, 'DeleteAccessToken response'),
};
