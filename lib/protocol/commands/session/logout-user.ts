import type { CommandCodec } from '../../command-codec.js';
import { CommandCode } from '../../codes/command-codes.js';
import { emptyPayload, expectEmpty } from '../payload.js';

/** LogoutUser (39): no payload either way. */
export const logoutUserCodec: CommandCodec<void, void> = {
  name: 'LogoutUser',
  code: CommandCode.LogoutUser,
  encodeRequest: () => emptyPayload(),
  decodeRequest: (payload) => expectEmpty(payload, 'LogoutUser request'),
  encodeResponse: () => emptyPayload(),
  decodeResponse: (payload) => expectEmpty(payload, 'LogoutUser response'),
};
