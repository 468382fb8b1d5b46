import type { CommandCodec } from '../../command-codec.js';
import { CommandCode } from '../../codes/command-codes.js';
import { decodePayload, emptyPayload, encodePayload, expectEmpty, readToEnd } from '../payload.js';
import { readClientInfo, writeClientInfo, type ClientInfo } from './client.layout.js';

/** GetClients (22): empty request; the response is the client records back to back (no count). */
export const getClientsCodec: CommandCodec<void, ClientInfo[]> = {
  name: 'GetClients',
  code: CommandCode.GetClients,
  encodeRequest: () => emptyPayload(),
  decodeRequest: (payload) => expectEmpty(payload, 'GetClients request'),
  encodeResponse: (clients) =>
    encodePayload((w) => {
      for (const c of clients) writeClientInfo(w, c);
    }),
  decodeResponse: (payload) =>
    decodePayload(payload, 'GetClients response', (r) => readToEnd(r, readClientInfo)),
};
