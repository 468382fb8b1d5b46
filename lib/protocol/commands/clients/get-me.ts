import type { CommandCodec } from '../../command-codec.js';
import { CommandCode } from '../../codes/command-codes.js';
import { BinaryReader } from '../../primitives/binary-reader.js';
import { BinaryWriter } from '../../primitives/binary-writer.js';
import { emptyPayload, expectEmpty } from '../system/payload-helpers.js';
import { readClientDetails, writeClientDetails, type ClientDetails } from './client.layout.js';

/** GetMe (20): empty request; the response describes the calling connection. */
export const getMeCodec: CommandCodec<void, ClientDetails> = {
  name: 'GetMe',
  code: CommandCode.GetMe,
  encodeRequest: () => emptyPayload(),
  decodeRequest: (payload) => expectEmpty(payload, 'GetMe request'),
  encodeResponse(client) {
    const w = new BinaryWriter();
    writeClientDetails(w, client);
    return w.finish();
  },
  decodeResponse(payload) {
    const r = new BinaryReader(payload, 'GetMe response');
    const client = readClientDetails(r);
    r.finish();
    return client;
  },
};
