import type { CommandCodec } from '../../command-codec.js';
import { CommandCode } from '../../codes/command-codes.js';
import { BinaryReader } from '../../primitives/binary-reader.js';
import { BinaryWriter } from '../../primitives/binary-writer.js';
import type { Identifier } from '../../primitives/identifier.js';
import { emptyPayload } from '../system/payload-helpers.js';
import {
  decodeUserIdRequest,
  encodeUserIdRequest,
  readUserDetails,
  writeUserDetails,
  type UserDetails,
} from './user.layout.js';

/** GetUser request: the user's identifier (id or username). */
export interface GetUserRequest {
  userId: Identifier;
}

/** GetUser (31): the server answers an empty payload when the user does not exist (→ null). */
export const getUserCodec: CommandCodec<GetUserRequest, UserDetails | null> = {
  name: 'GetUser',
  code: CommandCode.GetUser,
  encodeRequest: encodeUserIdRequest,
  decodeRequest: (payload) => decodeUserIdRequest(payload, 'GetUser request'),
  encodeResponse(user) {
    if (user === null) return emptyPayload();
    const w = new BinaryWriter();
    writeUserDetails(w, user);
    return w.finish();
  },
  decodeResponse(payload) {
    if (payload.length === 0) return null;
    const r = new BinaryReader(payload, 'GetUser response');
    const user = readUserDetails(r);
    r.finish();
    return user;
  },
};
