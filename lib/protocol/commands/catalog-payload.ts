import { Limits } from '../limits.js';
import { ProtocolError } from '../protocol-error.js';
import { BinaryReader } from '../primitives/binary-reader.js';
import { BinaryWriter } from '../primitives/binary-writer.js';

/** Builds a payload with a fresh writer. */
export function encodePayload(write: (w: BinaryWriter) => void): Buffer {
  const w = new BinaryWriter();
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

/** The empty payload of a void request or response. */
export function encodeEmpty(): Buffer {
  return Buffer.alloc(0);
}

/** Accepts only an empty payload (a void request or response). */
export function decodeEmpty(payload: Buffer, context: string): void {
  new BinaryReader(payload, context).finish();
}

/** Records back to back until the payload ends (the server's list responses carry no count). */
export function readToEnd<T>(r: BinaryReader, read: (r: BinaryReader) => T): T[] {
  const items: T[] = [];
  while (r.remaining > 0) items.push(read(r));
  return items;
}

/**
 * Writes a u8-length name of 1..255 bytes of UTF-8 (a stream, topic or group name). `iggyCode` is the
 * server's "invalid name" error for that kind of thing.
 */
export function writeName(w: BinaryWriter, name: string, what: string, iggyCode: number): void {
  const bytes = Buffer.from(name, 'utf8');
  if (bytes.length === 0 || bytes.length > Limits.maxNameBytes) {
    throw new ProtocolError(
      bytes.length === 0 ? 'InvalidValue' : 'TooLarge',
      `${what} must be 1..${Limits.maxNameBytes} bytes of UTF-8, got ${bytes.length}`,
      iggyCode,
    );
  }
  w.u8(bytes.length).bytes(bytes);
}

/** Reads a u8-length name and rejects an empty one the way the server does (with `iggyCode`). */
export function readName(r: BinaryReader, what: string, iggyCode: number): string {
  const name = r.str8(what);
  if (name.length === 0) throw new ProtocolError('InvalidValue', `${r.context}: ${what} is empty`, iggyCode);
  return name;
}
