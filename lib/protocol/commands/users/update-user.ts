import type { CommandCodec } from '../../command-codec.js';
import { CommandCode } from '../../codes/command-codes.js';
import { IggyErrorCode } from '../../codes/error-codes.js';
import { BinaryReader } from '../../primitives/binary-reader.js';
import { BinaryWriter } from '../../primitives/binary-writer.js';
import { readIdentifier, writeIdentifier, type Identifier } from '../../primitives/identifier.js';
import {
  emptyPayload,
  expectEmpty,
  readFlag,
  readShortString,
  writeShortString,
} from '../system/payload-helpers.js';
import { readUserStatus, writeUserStatus, type UserStatusValue } from './user.layout.js';

/**
 * UpdateUser request: user identifier · `u8 has username` [· `u8 len` · username]
 * · `u8 has status` [· `u8 status`]. Absent fields stay unchanged.
 */
export interface UpdateUserRequest {
  userId: Identifier;
  username?: string;
  status?: UserStatusValue;
}

function encodeRequest(req: UpdateUserRequest): Buffer {
  const w = new BinaryWriter(32);
  writeIdentifier(w, req.userId);
  if (req.username === undefined) w.u8(0);
  else {
    w.u8(1);
    writeShortString(w, req.username, 'username', IggyErrorCode.InvalidUsername);
  }
  if (req.status === undefined) w.u8(0);
  else writeUserStatus(w.u8(1), req.status);
  return w.finish();
}

function decodeRequest(payload: Buffer): UpdateUserRequest {
  const r = new BinaryReader(payload, 'UpdateUser request');
  const req: UpdateUserRequest = { userId: readIdentifier(r, 'user id') };
  if (readFlag(r, 'has username'))
    req.username = readShortString(r, 'username', IggyErrorCode.InvalidUsername);
  if (readFlag(r, 'has status')) req.status = readUserStatus(r);
  r.finish();
  return req;
}

/** UpdateUser (35): empty response. */
export const updateUserCodec: CommandCodec<UpdateUserRequest, void> = {
  name: 'UpdateUser',
  code: CommandCode.UpdateUser,
  encodeRequest,
  decodeRequest,
  encodeResponse: () => emptyPayload(),
  decodeResponse: (payload) => expectEmpty(payload, 'UpdateUser response'),
};
