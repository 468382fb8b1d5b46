import type { CommandCodec } from '../../command-codec.js';
import { CommandCode } from '../../codes/command-codes.js';
import { decodeNullable, decodePayload, encodeNullable, encodePayload } from '../payload.js';
import { readClientDetails, writeClientDetails, type ClientDetails } from './client.layout.js';

/** GetClient request: `u32 client id`. */
export interface GetClientRequest {
  clientId: number;
}

/** GetClient (21): the server answers an empty payload when no such client is connected (→ null). */
export const getClientCodec: CommandCodec<GetClientRequest, ClientDetails | null> = {
  name: 'GetClient',
  code: CommandCode.GetClient,
  encodeRequest: (req) => encodePayload((w) => w.u32(req.clientId), 4),
  decodeRequest: (payload) =>
    decodePayload(payload, 'GetClient request', (r) => ({ clientId: r.u32('client id') })),
  encodeResponse: (client) => encodeNullable(client, writeClientDetails),
  decodeResponse: (payload) => decodeNullable(payload, 'GetClient response', readClientDetails),
};
