import type { CommandCodec } from '../../command-codec.js';
import { CommandCode } from '../../codes/command-codes.js';
import { IggyErrorCode } from '../../codes/error-codes.js';
import { BinaryReader } from '../../primitives/binary-reader.js';
import { BinaryWriter } from '../../primitives/binary-writer.js';
import { readIdentifier, writeIdentifier, type Identifier } from '../../primitives/identifier.js';
import { emptyPayload, expectEmpty, readShortString, writeShortString } from '../system/payload-helpers.js';

/** ChangePassword request: user identifier · `u8 len` · current password · `u8 len` · new password. */
export interface ChangePasswordRequest {
  userId: Identifier;
  currentPassword: string;
  newPassword: string;
}

function encodeRequest(req: ChangePasswordRequest): Buffer {
  const w = new BinaryWriter(32);
  writeIdentifier(w, req.userId);
  writeShortString(w, req.currentPassword, 'current password', IggyErrorCode.InvalidPassword);
  writeShortString(w, req.newPassword, 'new password', IggyErrorCode.InvalidPassword);
  return w.finish();
}

function decodeRequest(payload: Buffer): ChangePasswordRequest {
  const r = new BinaryReader(payload, 'ChangePassword request');
  const userId = readIdentifier(r, 'user id');
  const currentPassword = readShortString(r, 'current password', IggyErrorCode.InvalidPassword);
  const newPassword = readShortString(r, 'new password', IggyErrorCode.InvalidPassword);
  r.finish();
  return { userId, currentPassword, newPassword };
}

/** ChangePassword (37): empty response. */
export const changePasswordCodec: CommandCodec<ChangePasswordRequest, void> = {
  name: 'ChangePassword',
  code: CommandCode.ChangePassword,
  encodeRequest,
  decodeRequest,
  encodeResponse: () => emptyPayload(),
  decodeResponse: (payload) => expectEmpty(payload, 'ChangePassword response'),
};
