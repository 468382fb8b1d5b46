import { IggyErrorCode } from '../codes/error-codes.js';
import { ProtocolError } from '../protocol-error.js';
import type { BinaryReader } from './binary-reader.js';
import type { BinaryWriter } from './binary-writer.js';

/** A stream, topic, group or user: a numeric id (u32) or a name (1..255 bytes UTF-8). */
export type Identifier = number | string;

export const IdKind = { Numeric: 1, String: 2 } as const;

export function writeIdentifier(w: BinaryWriter, id: Identifier): void {
  if (typeof id === 'number') {
    if (!Number.isInteger(id) || id < 0 || id > 0xffffffff) {
      throw new ProtocolError(
        'InvalidValue',
        `numeric identifier out of u32 range: ${id}`,
        IggyErrorCode.InvalidIdentifier,
      );
    }
    w.u8(IdKind.Numeric).u8(4).u32(id);
    return;
  }
  const b = Buffer.from(id, 'utf8');
  if (b.length === 0 || b.length > 255) {
    throw new ProtocolError(
      'InvalidValue',
      `string identifier must be 1..255 bytes, got ${b.length}`,
      IggyErrorCode.InvalidIdentifier,
    );
  }
  w.u8(IdKind.String).u8(b.length).bytes(b);
}

export function readIdentifier(r: BinaryReader, what = 'identifier'): Identifier {
  const kind = r.u8(`${what} kind`);
  const length = r.u8(`${what} length`);
  if (kind === IdKind.Numeric) {
    if (length !== 4) {
      throw new ProtocolError(
        'InvalidValue',
        `${r.context}: numeric ${what} has length ${length}, expected 4`,
        IggyErrorCode.InvalidIdentifier,
      );
    }
    return r.u32(what);
  }
  if (kind === IdKind.String) {
    if (length === 0) {
      throw new ProtocolError(
        'InvalidValue',
        `${r.context}: string ${what} is empty`,
        IggyErrorCode.InvalidIdentifier,
      );
    }
    return r.utf8(length, what);
  }
  throw new ProtocolError(
    'InvalidValue',
    `${r.context}: ${what} kind ${kind} is neither 1 (numeric) nor 2 (string)`,
    IggyErrorCode.InvalidIdentifier,
  );
}

/** Encoded size in bytes. */
export function identifierSize(id: Identifier): number {
  return typeof id === 'number' ? 6 : 2 + Buffer.byteLength(id, 'utf8');
}
