import type { CommandCodec } from '../../command-codec.js';
import { CommandCode } from '../../codes/command-codes.js';
import { decodePayload, emptyPayload, encodePayload, expectEmpty } from '../payload.js';
import { readClientDetails, writeClientDetails, type ClientDetails } from './client.layout.js';

/** GetMe (20): empty request; the response describes the calling connection. */
export const getMeCodec: CommandCodec<void, ClientDetails> = {
  name: 'GetMe',
  code: CommandCode.GetMe,
  encodeRequest: () => emptyPayload(),
  decodeRequest: (payload) => expectEmpty(payload, 'GetMe request'),
  encodeResponse: (client) => encodePayload((w) => writeClientDetails(w, client)),
  decodeResponse: (payload) => decodePayload(payload, 'GetMe response', readClientDetails),
};
