import type { CommandCodec } from '../../command-codec.js';
import { CommandCode } from '../../codes/command-codes.js';
import { BinaryReader } from '../../primitives/binary-reader.js';
import { BinaryWriter } from '../../primitives/binary-writer.js';
import { emptyPayload, expectEmpty, readUntilEnd } from '../system/payload-helpers.js';
import { readClientInfo, writeClientInfo, type ClientInfo } from './client.layout.js';

/** GetClients (22): empty request; the response is the client records back to back (no count). */
export const getClientsCodec: CommandCodec<void, ClientInfo[]> = {
  name: 'GetClients',
  code: CommandCode.GetClients,
  encodeRequest: () => emptyPayload(),
  decodeRequest: (payload) => expectEmpty(payload, 'GetClients request'),
  encodeResponse(clients) {
    const w = new BinaryWriter();
    for (const c of clients) writeClientInfo(w, c);
    return w.finish();
  },
  decodeResponse: (payload) => readUntilEnd(new BinaryReader(payload, 'GetClients response'), readClientInfo),
};
