import type { CommandCodec } from '../../command-codec.js';
import { CommandCode } from '../../codes/command-codes.js';
import { BinaryReader } from '../../primitives/binary-reader.js';
import { BinaryWriter } from '../../primitives/binary-writer.js';
import { emptyPayload } from '../system/payload-helpers.js';
import { readClientDetails, writeClientDetails, type ClientDetails } from './client.layout.js';

/** GetClient request: `u32 client id`. */
export interface GetClientRequest {
  clientId: number;
}

/** GetClient (21): the server answers an empty payload when no such client is connected (→ null). */
export const getClientCodec: CommandCodec<GetClientRequest, ClientDetails | null> = {
  name: 'GetClient',
  code: CommandCode.GetClient,
  encodeRequest: (req) => new BinaryWriter(4).u32(req.clientId).finish(),
  decodeRequest(payload) {
    const r = new BinaryReader(payload, 'GetClient request');
    const clientId = r.u32('client id');
    r.finish();
    return { clientId };
  },
  encodeResponse(client) {
    if (client === null) return emptyPayload();
    const w = new BinaryWriter();
    writeClientDetails(w, client);
    return w.finish();
  },
  decodeResponse(payload) {
    if (payload.length === 0) return null;
    const r = new BinaryReader(payload, 'GetClient response');
    const client = readClientDetails(r);
    r.finish();
    return client;
  },
};
