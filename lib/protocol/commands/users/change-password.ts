import type { CommandCodec } from '../../command-codec.js';
import { CommandCode } from '../../codes/command-codes.js';
import { IggyErrorCode } from '../../codes/error-codes.js';
import { readIdentifier, writeIdentifier, type Identifier } from '../../primitives/identifier.js';
import { decodePayload, emptyPayload, encodePayload, expectEmpty, readName, writeName } from '../payload.js';

/** ChangePassword request: user identifier · `u8 len` · current password · `u8 len` · new password. */
export interface ChangePasswordRequest {
  userId: Identifier;
  currentPassword: string;
  newPassword: string;
}

function encodeRequest(req: ChangePasswordRequest): Buffer {
  return encodePayload((w) => {
    writeIdentifier(w, req.userId);
    writeName(w, req.currentPassword, 'current password', IggyErrorCode.InvalidPassword);
    writeName(w, req.newPassword, 'new password', IggyErrorCode.InvalidPassword);
  }, 32);
}

function decodeRequest(payload: Buffer): ChangePasswordRequest {
  return decodePayload(payload, 'ChangePassword request', (r) => {
    const userId = readIdentifier(r, 'user id');
    const currentPassword = readName(r, 'current password', IggyErrorCode.InvalidPassword);
    const newPassword = readName(r, 'new password', IggyErrorCode.InvalidPassword);
    return { userId, currentPassword, newPassword };
  });
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
