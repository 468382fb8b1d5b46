import type { BinaryReader } from '../../primitives/binary-reader.js';
import type { BinaryWriter } from '../../primitives/binary-writer.js';
import { IggyErrorCode } from '../../codes/error-codes.js';
import { readName, writeName } from '../payload.js';

/** What the real server accepts (checked by the broker; the codec takes 1..255 bytes). */
export const AccessTokenLimits = {
  minNameLength: 3,
  maxNameLength: 30,
  maxTokenLength: 100,
  maxTokensPerUser: 100,
} as const;

/** CreateAccessToken expiry values with a special meaning (otherwise a duration in µs). */
export const AccessTokenExpiry = {
  /** 0: the server's configured default. */
  ServerDefault: 0n,
  /** u64::MAX: never expires. */
  Never: (1n << 64n) - 1n,
} as const;

/** One personal access token of the user (GetAccessTokens entry). The raw token is never shown again. */
export interface AccessTokenInfo {
  name: string;
  /** µs since the epoch; null when the token never expires (0 on the wire). */
  expiryAt: bigint | null;
}

export function writeAccessTokenName(w: BinaryWriter, name: string): void {
  writeName(w, name, 'access token name', IggyErrorCode.InvalidPersonalAccessTokenName);
}

export function readAccessTokenName(r: BinaryReader): string {
  return readName(r, 'access token name', IggyErrorCode.InvalidPersonalAccessTokenName);
}

export function writeAccessTokenInfo(w: BinaryWriter, t: AccessTokenInfo): void {
  w.str8(t.name, 'access token name').u64(t.expiryAt ?? 0n);
}

export function readAccessTokenInfo(r: BinaryReader): AccessTokenInfo {
  const name = r.str8('access token name');
  const expiryAt = r.u64('expiry at');
  return { name, expiryAt: expiryAt === 0n ? null : expiryAt };
}
