import type { CommandCodec } from '../../command-codec.js';
import { CommandCode } from '../../codes/command-codes.js';
import { decodePayload, emptyPayload, encodePayload, expectEmpty, readToEnd } from '../payload.js';
import { readUserInfo, writeUserInfo, type UserInfo } from './user.layout.js';

/** GetUsers (32): empty request; the response is user records back to back (no count, no permissions). */
export const getUsersCodec: CommandCodec<void, UserInfo[]> = {
  name: 'GetUsers',
  code: CommandCode.GetUsers,
  encodeRequest: () => emptyPayload(),
  decodeRequest: (payload) => expectEmpty(payload, 'GetUsers request'),
  encodeResponse: (users) =>
    encodePayload((w) => {
      for (const u of users) writeUserInfo(w, u);
    }),
  decodeResponse: (payload) => decodePayload(payload, 'GetUsers response', (r) => readToEnd(r, readUserInfo)),
};
