import { randomUUID } from 'node:crypto';
import { ProtocolError } from '../protocol-error.js';

const MAX_U128 = (1n << 128n) - 1n;

/** Hex digit values by char code; -1 for anything else. */
const HEX_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) HEX_VALUE[48 + i] = i;
for (let i = 0; i < 6; i++) HEX_VALUE[65 + i] = HEX_VALUE[97 + i] = 10 + i;
/** Where a UUID may have a dash: before its 5th, 7th, 9th and 11th byte. */
const DASH_BEFORE_BYTE = new Set([4, 6, 8, 10]);
const idBytes = new DataView(new ArrayBuffer(16));

/**
 * The u128 message id for a UUID, as the official SDKs put it on the wire: the UUID's 16 bytes in
 * their textual order ARE the little-endian u128, so the UUID's first byte is the least significant
 * (Node SDK: `Buffer.from(uuid.toHex(), 'hex')`; Rust server: `Uuid::to_u128_le`). Dashes are optional,
 * hex digits of either case. Parsed by hand: it runs once per event published.
 */
export function uuidToMessageId(uuid: string): bigint {
  let at = 0;
  for (let byte = 0; byte < 16; byte++) {
    if (DASH_BEFORE_BYTE.has(byte) && uuid.charCodeAt(at) === 45) at++;
    const high = HEX_VALUE[uuid.charCodeAt(at)] ?? -1;
    const low = HEX_VALUE[uuid.charCodeAt(at + 1)] ?? -1;
    if (high < 0 || low < 0) throw notUuid(uuid);
    idBytes.setUint8(byte, (high << 4) | low);
    at += 2;
  }
  if (at !== uuid.length) throw notUuid(uuid);
  const low = idBytes.getBigUint64(0, true);
  const high = idBytes.getBigUint64(8, true);
  return high === 0n ? low : (high << 64n) | low;
}

function notUuid(uuid: string): ProtocolError {
  return new ProtocolError('InvalidValue', `not a UUID: '${uuid}'`);
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
