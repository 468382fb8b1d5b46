import type { CommandCodec } from '../../command-codec.js';
import { CommandCode } from '../../codes/command-codes.js';
import { IggyErrorCode } from '../../codes/error-codes.js';
import { decodePayload, encodePayload, readName, writeName } from '../payload.js';
import { readOptionalPermissions, writeOptionalPermissions, type Permissions } from './permissions.layout.js';
import {
  readUserDetails,
  readUserStatus,
  writeUserStatus,
  writeUserDetails,
  type UserDetails,
  type UserStatusValue,
} from './user.layout.js';

/**
 * CreateUser request: `u8 len` · username · `u8 len` · password · `u8 status` · `u8 has permissions`
 * [· `u32 length` · permissions].
 */
export interface CreateUserRequest {
  username: string;
  password: string;
  status: UserStatusValue;
  permissions?: Permissions;
}

function encodeRequest(req: CreateUserRequest): Buffer {
  return encodePayload((w) => {
    writeName(w, req.username, 'username', IggyErrorCode.InvalidUsername);
    writeName(w, req.password, 'password', IggyErrorCode.InvalidPassword);
    writeUserStatus(w, req.status);
    writeOptionalPermissions(w, req.permissions);
  });
}

function decodeRequest(payload: Buffer): CreateUserRequest {
  return decodePayload(payload, 'CreateUser request', (r) => {
    const username = readName(r, 'username', IggyErrorCode.InvalidUsername);
    const password = readName(r, 'password', IggyErrorCode.InvalidPassword);
    const status = readUserStatus(r);
    const permissions = readOptionalPermissions(r);
    return permissions === undefined
      ? { username, password, status }
      : { username, password, status, permissions };
  });
}

/** CreateUser (33): the response is the created user, as GetUser describes it. */
export const createUserCodec: CommandCodec<CreateUserRequest, UserDetails> = {
  name: 'CreateUser',
  code: CommandCode.CreateUser,
  encodeRequest,
  decodeRequest,
  encodeResponse: (user) => encodePayload((w) => writeUserDetails(w, user)),
  decodeResponse: (payload) => decodePayload(payload, 'CreateUser response', readUserDetails),
};
