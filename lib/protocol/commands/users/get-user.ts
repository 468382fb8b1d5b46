import type { CommandCodec } from '../../command-codec.js';
import { CommandCode } from '../../codes/command-codes.js';
import type { Identifier } from '../../primitives/identifier.js';
import { decodeNullable, encodeNullable } from '../payload.js';
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
  encodeResponse: (user) => encodeNullable(user, writeUserDetails),
  decodeResponse: (payload) => decodeNullable(payload, 'GetUser response', readUserDetails),
};
