import { randomUUID } from 'node:crypto';
import { ProtocolError } from '../protocol-error.js';

const UUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const MAX_U128 = (1n << 128n) - 1n;

/**
 * The u128 message id for a UUID, as the official SDKs put it on the wire: the UUID's 16 bytes in
 * their textual order ARE the little-endian u128, so the UUID's first byte is the least significant
 * (Node SDK: `Buffer.from(uuid.toHex(), 'hex')`; Rust server: `Uuid::to_u128_le`).
 */
export function uuidToMessageId(uuid: string): bigint {
  if (!UUID_RE.test(uuid)) throw new ProtocolError('InvalidValue', `not a UUID: '${uuid}'`);
  const hex = uuid.replace(/-/g, '');
  let reversed = '';
  for (let i = 30; i >= 0; i -= 2) reversed += hex.slice(i, i + 2);
  return BigInt(`0x${reversed}`);
}

/** The UUID (lower-case, dashed) whose wire bytes are this message id; the inverse of `uuidToMessageId`. */
export function messageIdToUuid(id: bigint): string {
  if (id < 0n || id > MAX_U128)
    throw new ProtocolError('InvalidValue', `message id out of u128 range: ${id}`);
  const le = id.toString(16).padStart(32, '0');
  let hex = '';
  for (let i = 30; i >= 0; i -= 2) hex += le.slice(i, i + 2);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A random (UUID v4) message id, what the real server gives a message sent with id 0. */
export function randomMessageId(): bigint {
  return uuidToMessageId(randomUUID());
}
