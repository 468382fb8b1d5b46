import type { CommandCodec } from '../../command-codec.js';
import { CommandCode } from '../../codes/command-codes.js';
import { BinaryReader } from '../../primitives/binary-reader.js';
import { BinaryWriter } from '../../primitives/binary-writer.js';
import { emptyPayload, expectEmpty, readUntilEnd } from '../system/payload-helpers.js';
import { readUserInfo, writeUserInfo, type UserInfo } from './user.layout.js';

/** GetUsers (32): empty request; the response is user records back to back (no count, no permissions). */
export const getUsersCodec: CommandCodec<void, UserInfo[]> = {
  name: 'GetUsers',
  code: CommandCode.GetUsers,
  encodeRequest: () => emptyPayload(),
  decodeRequest: (payload) => expectEmpty(payload, 'GetUsers request'),
  encodeResponse(users) {
    const w = new BinaryWriter();
    for (const u of users) writeUserInfo(w, u);
    return w.finish();
  },
  decodeResponse: (payload) => readUntilEnd(new BinaryReader(payload, 'GetUsers response'), readUserInfo),
};
