import type { CommandCodec } from '../../command-codec.js';
import { CommandCode } from '../../codes/command-codes.js';
import { IggyErrorCode } from '../../codes/error-codes.js';
import { readIdentifier, writeIdentifier, type Identifier } from '../../primitives/identifier.js';
import {
  decodePayload,
  emptyPayload,
  encodePayload,
  expectEmpty,
  readFlag,
  readName,
  writeFlag,
  writeName,
} from '../payload.js';
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
  return encodePayload((w) => {
    writeIdentifier(w, req.userId);
    writeFlag(w, req.username !== undefined);
    if (req.username !== undefined) writeName(w, req.username, 'username', IggyErrorCode.InvalidUsername);
    writeFlag(w, req.status !== undefined);
    if (req.status !== undefined) writeUserStatus(w, req.status);
  }, 32);
}

function decodeRequest(payload: Buffer): UpdateUserRequest {
  return decodePayload(payload, 'UpdateUser request', (r) => {
    const req: UpdateUserRequest = { userId: readIdentifier(r, 'user id') };
    if (readFlag(r, 'has username')) req.username = readName(r, 'username', IggyErrorCode.InvalidUsername);
    if (readFlag(r, 'has status')) req.status = readUserStatus(r);
    return req;
  });
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
