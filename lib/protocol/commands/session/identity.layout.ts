import { decodePayload, encodePayload } from '../payload.js';

/** Login response: the id of the user the connection is now authenticated as (`u32`). */
export interface IdentityInfo {
  userId: number;
}

export function encodeIdentityInfo(identity: IdentityInfo): Buffer {
  return encodePayload((w) => w.u32(identity.userId), 4);
}

export function decodeIdentityInfo(payload: Buffer, context: string): IdentityInfo {
  return decodePayload(payload, context, (r) => ({ userId: r.u32('user id') }));
}
