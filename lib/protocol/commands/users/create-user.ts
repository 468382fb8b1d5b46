import type { CommandCodec } from '../../command-codec.js';
import { CommandCode } from '../../codes/command-codes.js';
import { IggyErrorCode } from '../../codes/error-codes.js';
import { BinaryReader } from '../../primitives/binary-reader.js';
import { BinaryWriter } from '../../primitives/binary-writer.js';
import { readShortString, writeShortString } from '../system/payload-helpers.js';
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
  const w = new BinaryWriter();
  writeShortString(w, req.username, 'username', IggyErrorCode.InvalidUsername);
  writeShortString(w, req.password, 'password', IggyErrorCode.InvalidPassword);
  writeUserStatus(w, req.status);
  writeOptionalPermissions(w, req.permissions);
  return w.finish();
}

function decodeRequest(payload: Buffer): CreateUserRequest {
  const r = new BinaryReader(payload, 'CreateUser request');
  const username = readShortString(r, 'username', IggyErrorCode.InvalidUsername);
  const password = readShortString(r, 'password', IggyErrorCode.InvalidPassword);
  const status = readUserStatus(r);
  const permissions = readOptionalPermissions(r);
  r.finish();
  return permissions === undefined
    ? { username, password, status }
    : { username, password, status, permissions };
}

/** CreateUser (33): the response is the created user, as GetUser describes it. */
export const createUserCodec: CommandCodec<CreateUserRequest, UserDetails> = {
  name: 'CreateUser',
  code: CommandCode.CreateUser,
  encodeRequest,
  decodeRequest,
  encodeResponse(user) {
    const w = new BinaryWriter();
    writeUserDetails(w, user);
    return w.finish();
  },
  decodeResponse(payload) {
    const r = new BinaryReader(payload, 'CreateUser response');
    const user = readUserDetails(r);
    r.finish();
    return user;
  },
};
