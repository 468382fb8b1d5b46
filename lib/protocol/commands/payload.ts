import { Limits } from '../limits.js';
import { ProtocolError } from '../protocol-error.js';
import { BinaryReader } from '../primitives/binary-reader.js';
import { BinaryWriter } from '../primitives/binary-writer.js';

const EMPTY = Buffer.alloc(0);

/** Builds a payload with a fresh writer (`initialSize`: a first guess of its size). */
export function encodePayload(write: (w: BinaryWriter) => void, initialSize = 64): Buffer {
  const w = new BinaryWriter(initialSize);
  write(w);
  return w.finish();
}

/** Reads a whole payload: `read` must consume every byte. `context` names it in errors (`GetStream response`). */
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

/** Accepts only an empty payload (a void request or response). */
export function expectEmpty(payload: Buffer, context: string): void {
  new BinaryReader(payload, context).finish();
}

/** A "get one" answer: `null` is the empty payload the server sends when the thing does not exist. */
export function encodeNullable<T>(
  value: T | null,
  write: (w: BinaryWriter, value: T) => void,
  initialSize?: number,
): Buffer {
  return value === null ? EMPTY : encodePayload((w) => write(w, value), initialSize);
}

/** Reads a "get one" answer: an empty payload is `null`, anything else must be read whole. */
export function decodeNullable<T>(payload: Buffer, context: string, read: (r: BinaryReader) => T): T | null {
  return payload.length === 0 ? null : decodePayload(payload, context, read);
}

/** Records back to back until the payload ends (the server's list responses carry no count). */
export function readToEnd<T>(r: BinaryReader, read: (r: BinaryReader) => T): T[] {
  const items: T[] = [];
  while (r.remaining > 0) items.push(read(r));
  return items;
}

/** Writes a boolean as a u8 0 or 1. */
export function writeFlag(w: BinaryWriter, value: boolean): void {
  w.u8(value ? 1 : 0);
}

/** Reads a u8 that must be 0 or 1 (the server takes anything but 1 as false; we reject the rest). */
export function readFlag(r: BinaryReader, what: string): boolean {
  const value = r.u8(what);
  if (value > 1)
    throw new ProtocolError('InvalidValue', `${r.context}: ${what} is ${value}, expected 0 or 1`);
  return value === 1;
}

/**
 * Writes a u8-length string of 1..255 bytes of UTF-8, as requests carry names, usernames, passwords
 * and tokens. `code` is the server's error for a bad one of that kind (InvalidStreamName, …).
 */
export function writeName(w: BinaryWriter, name: string, what: string, code: number): void {
  const bytes = Buffer.from(name, 'utf8');
  if (bytes.length === 0 || bytes.length > Limits.maxNameBytes) {
    throw new ProtocolError(
      bytes.length === 0 ? 'InvalidValue' : 'TooLarge',
      `${what} must be 1..${Limits.maxNameBytes} bytes of UTF-8, got ${bytes.length}`,
      code,
    );
  }
  w.u8(bytes.length).bytes(bytes);
}

/** Reads what `writeName` wrote; an empty one is rejected with `code`, as the server does. */
export function readName(r: BinaryReader, what: string, code: number): string {
  const name = r.str8(what);
  if (name.length === 0) throw new ProtocolError('InvalidValue', `${r.context}: ${what} is empty`, code);
  return name;
}
