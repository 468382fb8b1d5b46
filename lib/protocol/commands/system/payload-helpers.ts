import { BinaryReader } from '../../primitives/binary-reader.js';
import type { BinaryWriter } from '../../primitives/binary-writer.js';
import { ProtocolError } from '../../protocol-error.js';

const EMPTY = Buffer.alloc(0);

/** The payload of a request or response that carries nothing. */
export function emptyPayload(): Buffer {
  return EMPTY;
}

/** Accepts only an empty payload (`context` names it in the error, e.g. `Ping request`). */
export function expectEmpty(payload: Buffer, context: string): void {
  new BinaryReader(payload, context).finish();
}

/** A u8-length string of 1..255 bytes (names, passwords, tokens in requests). */
export function writeShortString(w: BinaryWriter, value: string, what: string, iggyCode?: number): void {
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length === 0) throw new ProtocolError('InvalidValue', `${what} must not be empty`, iggyCode);
  if (bytes.length > 0xff) {
    throw new ProtocolError('TooLarge', `${what} is ${bytes.length} bytes, max 255`, iggyCode);
  }
  w.u8(bytes.length).bytes(bytes);
}

/** Reads what `writeShortString` wrote; an empty string is rejected with `iggyCode`. */
export function readShortString(r: BinaryReader, what: string, iggyCode?: number): string {
  const length = r.u8(`${what} length`);
  if (length === 0) throw new ProtocolError('InvalidValue', `${r.context}: ${what} is empty`, iggyCode);
  return r.utf8(length, what);
}

/** Reads records back to back until the payload ends (list responses carry no count). */
export function readUntilEnd<T>(r: BinaryReader, readOne: (r: BinaryReader) => T): T[] {
  const items: T[] = [];
  while (r.remaining > 0) items.push(readOne(r));
  return items;
}

/** Reads a u8 that must be 0 or 1. */
export function readFlag(r: BinaryReader, what: string): boolean {
  const value = r.u8(what);
  if (value > 1)
    throw new ProtocolError('InvalidValue', `${r.context}: ${what} is ${value}, expected 0 or 1`);
  return value === 1;
}
