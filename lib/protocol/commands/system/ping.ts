import type { CommandCodec } from '../../command-codec.js';
import { CommandCode } from '../../codes/command-codes.js';
import { emptyPayload, expectEmpty } from '../payload.js';

/** Ping (1): no payload either way; the server also refreshes the client's heartbeat. */
export const pingCodec: CommandCodec<void, void> = {
  name: 'Ping',
  code: CommandCode.Ping,
  encodeRequest: () => emptyPayload(),
  decodeRequest: (payload) => expectEmpty(payload, 'Ping request'),
  encodeResponse: () => emptyPayload(),
  decodeResponse: (payload) => expectEmpty(payload, 'Ping response'),
};
