import { BinaryReader } from '../../primitives/binary-reader.js';
import { BinaryWriter } from '../../primitives/binary-writer.js';

/** Login response: the id of the user the connection is now authenticated as (`u32`). */
export interface IdentityInfo {
  userId: number;
}

export function encodeIdentityInfo(identity: IdentityInfo): Buffer {
  return new BinaryWriter(4).u32(identity.userId).finish();
}

export function decodeIdentityInfo(payload: Buffer, context: string): IdentityInfo {
  const r = new BinaryReader(payload, context);
  const userId = r.u32('user id');
  r.finish();
  return { userId };
}
