import type { BinaryReader } from '../../primitives/binary-reader.js';
import type { BinaryWriter } from '../../primitives/binary-writer.js';
import { readIdentifier, writeIdentifier, type Identifier } from '../../primitives/identifier.js';
import { ProtocolError } from '../../protocol-error.js';
import { decodePayload, encodePayload, readFlag, writeFlag } from '../payload.js';
import { readSizedPermissions, writeSizedPermissions, type Permissions } from './permissions.layout.js';

export const UserStatus = { Active: 1, Inactive: 2 } as const;
export type UserStatusValue = (typeof UserStatus)[keyof typeof UserStatus];

/** What the real server accepts (checked by the broker, not by the codec, which takes 1..255 bytes). */
export const UserLimits = {
  minUsernameLength: 3,
  maxUsernameLength: 50,
  minPasswordLength: 3,
  maxPasswordLength: 100,
  rootUserId: 0,
} as const;

/** One user (GetUsers entry). */
export interface UserInfo {
  id: number;
  /** µs since the epoch. */
  createdAt: bigint;
  status: UserStatusValue;
  username: string;
}

/** GetUser / CreateUser response: the user and its permissions (null when it has none). */
export interface UserDetails extends UserInfo {
  permissions: Permissions | null;
}

export function readUserStatus(r: BinaryReader): UserStatusValue {
  const status = r.u8('user status');
  if (status !== UserStatus.Active && status !== UserStatus.Inactive) {
    throw new ProtocolError(
      'InvalidValue',
      `${r.context}: user status ${status} is neither 1 (active) nor 2 (inactive)`,
    );
  }
  return status;
}

export function writeUserStatus(w: BinaryWriter, status: UserStatusValue): void {
  if (status !== UserStatus.Active && status !== UserStatus.Inactive) {
    throw new ProtocolError(
      'InvalidValue',
      `user status ${String(status)} is neither 1 (active) nor 2 (inactive)`,
    );
  }
  w.u8(status);
}

export function writeUserInfo(w: BinaryWriter, u: UserInfo): void {
  w.u32(u.id).u64(u.createdAt);
  writeUserStatus(w, u.status);
  w.str8(u.username, 'username');
}

export function readUserInfo(r: BinaryReader): UserInfo {
  return {
    id: r.u32('user id'),
    createdAt: r.u64('created at'),
    status: readUserStatus(r),
    username: r.str8('username'),
  };
}

/**
 * User info, then `u8 1` · `u32 length` · permissions, or — when the user has none — `u32 0`, as the
 * real server writes it (clients read only the first byte of it as the flag).
 */
export function writeUserDetails(w: BinaryWriter, u: UserDetails): void {
  writeUserInfo(w, u);
  if (u.permissions === null) {
    w.u32(0);
    return;
  }
  writeFlag(w, true);
  writeSizedPermissions(w, u.permissions);
}

/** Reads what `writeUserDetails` wrote; also accepts a bare `u8 0` with no padding after it. */
export function readUserDetails(r: BinaryReader): UserDetails {
  const info = readUserInfo(r);
  if (readFlag(r, 'has permissions')) return { ...info, permissions: readSizedPermissions(r) };
  if (r.remaining >= 3) {
    const padding = r.bytes(3, 'permissions padding');
    if (padding.some((b) => b !== 0)) {
      throw new ProtocolError('InvalidValue', `${r.context}: non-zero bytes after the "no permissions" flag`);
    }
  }
  return { ...info, permissions: null };
}

/** Encodes a request that is only a user identifier (GetUser, DeleteUser). */
export function encodeUserIdRequest(req: { userId: Identifier }): Buffer {
  return encodePayload((w) => writeIdentifier(w, req.userId), 16);
}

export function decodeUserIdRequest(payload: Buffer, context: string): { userId: Identifier } {
  return decodePayload(payload, context, (r) => ({ userId: readIdentifier(r, 'user id') }));
}
