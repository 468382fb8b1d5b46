import { isUtf8 } from 'node:buffer';
import { IggyErrorCode } from '../codes/error-codes.js';
import { Limits } from '../limits.js';
import { ProtocolError } from '../protocol-error.js';
import { HeaderKind, type HeaderEntry, type HeaderField, type UserHeaders } from './header-field.js';
import { knownStringKey, rememberStringKey } from './header-key-cache.js';
import { FIXED_SIZE, invalidHeader, MAX_FIELD_BYTES } from './user-header-rules.js';

/** A checked field's value of a kind other than string (see `headerValueAt`) as its kind's JS value. */
function readField(v: Buffer, kind: number): HeaderField {
  switch (kind) {
    case HeaderKind.Raw:
      return { kind, value: Buffer.from(v) };
    case HeaderKind.Bool:
      return { kind, value: v[0] === 1 };
    case HeaderKind.Int8:
      return { kind, value: v.readInt8(0) };
    case HeaderKind.Int16:
      return { kind, value: v.readInt16LE(0) };
    case HeaderKind.Int32:
      return { kind, value: v.readInt32LE(0) };
    case HeaderKind.Int64:
      return { kind, value: v.readBigInt64LE(0) };
    case HeaderKind.Int128:
      return { kind, value: BigInt.asIntN(128, (v.readBigUInt64LE(8) << 64n) | v.readBigUInt64LE(0)) };
    case HeaderKind.Uint8:
      return { kind, value: v[0]! };
    case HeaderKind.Uint16:
      return { kind, value: v.readUInt16LE(0) };
    case HeaderKind.Uint32:
      return { kind, value: v.readUInt32LE(0) };
    case HeaderKind.Uint64:
      return { kind, value: v.readBigUInt64LE(0) };
    case HeaderKind.Uint128:
      return { kind, value: (v.readBigUInt64LE(8) << 64n) | v.readBigUInt64LE(0) };
    case HeaderKind.Float32:
      return { kind, value: v.readFloatLE(0) };
    default:
      return { kind: HeaderKind.Float64, value: v.readDoubleLE(0) };
  }
}

/**
 * Told of each header of an encoded run: its key (string keys as shared fields, see `knownStringKey`)
 * and where its value lies (`kind`, `buf[start, end)`; `ascii` when a string value is all ASCII). The
 * value is checked already; `headerValueAt` reads it.
 */
export type HeaderVisitor = (
  key: HeaderField,
  kind: number,
  start: number,
  end: number,
  ascii: boolean,
) => void;

/**
 * Walks encoded headers in `buf[start, end)`, checking every kind, length and value; never reads a
 * length past `end`. With `visit`, also tells it each header (keys decoded, values left in place).
 */
export function walkUserHeaders(buf: Buffer, start: number, end: number, visit?: HeaderVisitor): void {
  if (end - start > Limits.maxUserHeadersBytes) {
    throw new ProtocolError(
      'TooLarge',
      `user headers are ${end - start} bytes, max ${Limits.maxUserHeadersBytes}`,
      IggyErrorCode.TooBigUserHeaders,
    );
  }
  let pos = start;
  let key: HeaderField | undefined;
  let role: 'key' | 'value' = 'key';
  while (pos < end) {
    if (end - pos < 5) {
      throw new ProtocolError(
        'Truncated',
        `user header ${role} at byte ${pos - start} is cut short`,
        codeOf(role),
      );
    }
    const kind = buf[pos]!;
    const length = buf.readUInt32LE(pos + 1);
    pos += 5;
    if (kind < HeaderKind.Raw || kind > HeaderKind.Float64) throw invalidHeader(role, `unknown kind ${kind}`);
    if (length === 0 || length > MAX_FIELD_BYTES) {
      throw invalidHeader(role, `length ${length} is not 1..${MAX_FIELD_BYTES}`);
    }
    const fixed = FIXED_SIZE[kind]!;
    if (fixed !== 0 && length !== fixed)
      throw invalidHeader(role, `kind ${kind} needs ${fixed} bytes, got ${length}`);
    if (length > end - pos) {
      throw new ProtocolError(
        'Truncated',
        `user header ${role} needs ${length} bytes, ${end - pos} left`,
        codeOf(role),
      );
    }
    let ascii = false;
    if (kind === HeaderKind.String) {
      // Strings are most headers: checked in place, with no Buffer view per field.
      const known = visit && role === 'key' ? knownStringKey(buf, pos, pos + length) : undefined;
      if (known) key = known;
      else {
        ascii = isAscii(buf, pos, pos + length);
        if (!ascii && !isUtf8(buf.subarray(pos, pos + length))) {
          throw new ProtocolError('InvalidUtf8', `user header ${role} is not valid UTF-8`);
        }
        if (visit && role === 'key')
          key = rememberStringKey(buf.toString(ascii ? 'latin1' : 'utf8', pos, pos + length));
      }
    } else {
      if (kind === HeaderKind.Bool && buf[pos]! > 1)
        throw invalidHeader(role, `bool byte is ${buf[pos]}, expected 0 or 1`);
      if (visit && role === 'key') key = headerValueAt(buf, kind, pos, pos + length, false);
    }
    if (visit && role === 'value') visit(key!, kind, pos, pos + length, ascii);
    pos += length;
    role = role === 'key' ? 'value' : 'key';
  }
  if (role === 'value') {
    throw new ProtocolError('Truncated', 'user header key has no value', IggyErrorCode.InvalidHeaderValue);
  }
}

/** The value a `HeaderVisitor` was told of, as a field. */
export function headerValueAt(
  buf: Buffer,
  kind: number,
  start: number,
  end: number,
  ascii: boolean,
): HeaderField {
  if (kind === HeaderKind.String) {
    return { kind, value: buf.toString(ascii ? 'latin1' : 'utf8', start, end) };
  }
  return readField(buf.subarray(start, end), kind);
}

/** Every byte of `buf[start, end)` is below 0x80 (then latin1 and UTF-8 read the same text). */
function isAscii(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (buf[i]! >= 0x80) return false;
  return true;
}

function codeOf(role: 'key' | 'value'): number {
  return role === 'key' ? IggyErrorCode.InvalidHeaderKey : IggyErrorCode.InvalidHeaderValue;
}

/** Decodes user headers strictly (any malformed byte is a `ProtocolError`). */
export function decodeUserHeaders(buf: Buffer, start = 0, end = buf.length): UserHeaders {
  const out: HeaderEntry[] = [];
  if (end > start) {
    walkUserHeaders(buf, start, end, (key, kind, from, to, ascii) =>
      out.push({ key, value: headerValueAt(buf, kind, from, to, ascii) }),
    );
  }
  return out;
}

/** Checks encoded user headers in `buf[start, end)` without building objects. */
export function validateUserHeaders(buf: Buffer, start = 0, end = buf.length): void {
  if (end > start) walkUserHeaders(buf, start, end);
}
