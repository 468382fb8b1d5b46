import { BinaryReader } from '../../primitives/binary-reader.js';
import { BinaryWriter } from '../../primitives/binary-writer.js';
import { ProtocolError } from '../../protocol-error.js';

const EMPTY = Buffer.alloc(0);

/** Builds a payload with a fresh writer. */
export function encodePayload(write: (w: BinaryWriter) => void, initialSize = 64): Buffer {
  const w = new BinaryWriter(initialSize);
  write(w);
  return w.finish();
}

/** Reads a whole payload: `read` must consume every byte. */
export function decodePayload<T>(payload: Buffer, context: string, read: (r: BinaryReader) => T): T {
  const r = new BinaryReader(payload, context);
  const value = read(r);
  r.finish();
  return value;
}

/** The payload of a void request or response. */
export function emptyPayload(): Buffer {
  return EMPTY;
}

/** Accepts only an empty payload. */
export function expectEmpty(payload: Buffer, context: string): void {
  new BinaryReader(payload, context).finish();
}

/** Reads a u8 that must be 0 or 1 (the server takes anything but 1 as false; we reject the rest). */
export function readBool(r: BinaryReader, what: string): boolean {
  const value = r.u8(what);
  if (value > 1)
    throw new ProtocolError('InvalidValue', `${r.context}: ${what} is ${value}, expected 0 or 1`);
  return value === 1;
}
