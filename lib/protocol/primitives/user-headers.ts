import { IggyErrorCode } from '../codes/error-codes.js';
import { Limits } from '../limits.js';
import { ProtocolError } from '../protocol-error.js';
import { HeaderKind, type HeaderEntry, type HeaderField, type UserHeaders } from './header-field.js';
import { FIXED_SIZE, invalidHeader, MAX_FIELD_BYTES } from './user-header-rules.js';

export {
  decodeUserHeaders,
  headerValueAt,
  validateUserHeaders,
  walkUserHeaders,
  type HeaderVisitor,
} from './user-headers-decode.js';
export {
  HeaderKind,
  type HeaderEntry,
  type HeaderField,
  type HeaderKindValue,
  type UserHeaders,
} from './header-field.js';

/** HeaderField constructors. */
export const Header = {
  raw: (value: Uint8Array): HeaderField => ({ kind: HeaderKind.Raw, value: Buffer.from(value) }),
  string: (value: string): HeaderField => ({ kind: HeaderKind.String, value }),
  bool: (value: boolean): HeaderField => ({ kind: HeaderKind.Bool, value }),
  int8: (value: number): HeaderField => ({ kind: HeaderKind.Int8, value }),
  int16: (value: number): HeaderField => ({ kind: HeaderKind.Int16, value }),
  int32: (value: number): HeaderField => ({ kind: HeaderKind.Int32, value }),
  int64: (value: bigint): HeaderField => ({ kind: HeaderKind.Int64, value }),
  int128: (value: bigint): HeaderField => ({ kind: HeaderKind.Int128, value }),
  uint8: (value: number): HeaderField => ({ kind: HeaderKind.Uint8, value }),
  uint16: (value: number): HeaderField => ({ kind: HeaderKind.Uint16, value }),
  uint32: (value: number): HeaderField => ({ kind: HeaderKind.Uint32, value }),
  uint64: (value: bigint): HeaderField => ({ kind: HeaderKind.Uint64, value }),
  uint128: (value: bigint): HeaderField => ({ kind: HeaderKind.Uint128, value }),
  float32: (value: number): HeaderField => ({ kind: HeaderKind.Float32, value }),
  float64: (value: number): HeaderField => ({ kind: HeaderKind.Float64, value }),
} as const;

/** Headers with string keys, from a plain object. */
export function stringKeyedHeaders(fields: Readonly<Record<string, HeaderField>>): UserHeaders {
  return Object.entries(fields).map(([key, value]) => ({
    key: { kind: HeaderKind.String, value: key },
    value,
  }));
}

/** The string-keyed headers by key (a later duplicate wins, as in the server's map); other keys are skipped. */
export function headersByStringKey(headers: readonly HeaderEntry[]): Map<string, HeaderField> {
  const map = new Map<string, HeaderField>();
  for (const h of headers) if (h.key.kind === HeaderKind.String) map.set(h.key.value, h.value);
  return map;
}

const U64 = (1n << 64n) - 1n;

const intRange: Readonly<Record<number, readonly [number, number]>> = {
  [HeaderKind.Int8]: [-0x80, 0x7f],
  [HeaderKind.Int16]: [-0x8000, 0x7fff],
  [HeaderKind.Int32]: [-0x80000000, 0x7fffffff],
  [HeaderKind.Uint8]: [0, 0xff],
  [HeaderKind.Uint16]: [0, 0xffff],
  [HeaderKind.Uint32]: [0, 0xffffffff],
};
const bigRange: Readonly<Record<number, readonly [bigint, bigint]>> = {
  [HeaderKind.Int64]: [-(1n << 63n), (1n << 63n) - 1n],
  [HeaderKind.Int128]: [-(1n << 127n), (1n << 127n) - 1n],
  [HeaderKind.Uint64]: [0n, U64],
  [HeaderKind.Uint128]: [0n, (1n << 128n) - 1n],
};

function checkFieldBytes(n: number, role: 'key' | 'value'): number {
  if (n === 0 || n > MAX_FIELD_BYTES)
    throw invalidHeader(role, `must be 1..${MAX_FIELD_BYTES} bytes, got ${n}`);
  return n;
}

/** The UTF-8 length of a string key or value (checked: 1..255 bytes). */
function stringFieldSize(v: unknown, role: 'key' | 'value'): number {
  if (typeof v !== 'string') throw invalidHeader(role, `string expected, got ${typeof v}`);
  return checkFieldBytes(
    v.length <= MAX_FIELD_BYTES && isAsciiText(v) ? v.length : Buffer.byteLength(v, 'utf8'),
    role,
  );
}

/** Writes a string key or value (kind, length, UTF-8) at `at`; returns the end position. */
function writeStringField(buf: Buffer, at: number, value: string): number {
  buf[at] = HeaderKind.String;
  let n = value.length <= MAX_FIELD_BYTES ? writeAscii(buf, at + 5, value) : -1;
  if (n < 0) n = buf.write(value, at + 5, 'utf8');
  buf.writeUInt32LE(n, at + 1);
  return at + 5 + n;
}

// Header strings are short and nearly always ASCII: measured and written here in JS, they cost half of
// what a call into Buffer's native UTF-8 code per string does (`bench:protocol`, envelope headers).

function isAsciiText(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) >= 0x80) return false;
  return true;
}

/** Writes `text` at `at` when it is all ASCII and returns its length; -1 (and bytes to overwrite) otherwise. */
function writeAscii(buf: Buffer, at: number, text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) return -1;
    buf[at + i] = c;
  }
  return text.length;
}

/** Validates one field and returns the byte length of its value. */
function fieldSize(f: HeaderField, role: 'key' | 'value'): number {
  const v: unknown = f.value;
  switch (f.kind) {
    case HeaderKind.Raw:
    case HeaderKind.String: {
      if (f.kind === HeaderKind.String) return stringFieldSize(v, role);
      if (!ArrayBuffer.isView(v)) throw invalidHeader(role, `raw needs bytes, got ${typeof v}`);
      return checkFieldBytes(v.byteLength, role);
    }
    case HeaderKind.Bool:
      if (typeof v !== 'boolean') throw invalidHeader(role, `bool expected, got ${typeof v}`);
      return 1;
    case HeaderKind.Float32:
    case HeaderKind.Float64:
      if (typeof v !== 'number') throw invalidHeader(role, `number expected, got ${typeof v}`);
      return FIXED_SIZE[f.kind]!;
    case HeaderKind.Int8:
    case HeaderKind.Int16:
    case HeaderKind.Int32:
    case HeaderKind.Uint8:
    case HeaderKind.Uint16:
    case HeaderKind.Uint32: {
      const [min, max] = intRange[f.kind]!;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
        throw invalidHeader(role, `kind ${f.kind} needs an integer in ${min}..${max}, got ${String(v)}`);
      }
      return FIXED_SIZE[f.kind]!;
    }
    case HeaderKind.Int64:
    case HeaderKind.Int128:
    case HeaderKind.Uint64:
    case HeaderKind.Uint128: {
      const [min, max] = bigRange[f.kind]!;
      if (typeof v !== 'bigint' || v < min || v > max) {
        throw invalidHeader(role, `kind ${f.kind} needs a bigint in ${min}..${max}, got ${String(v)}`);
      }
      return FIXED_SIZE[f.kind]!;
    }
    default:
      throw invalidHeader(role, `unknown kind ${(f as { kind: unknown }).kind}`);
  }
}

/**
 * Validates headers and returns their encoded size. Throws unless every key and value is 1..255
 * bytes, numbers fit their kind, and the total is at most 100,000 bytes.
 */
export function userHeadersSize(headers: readonly HeaderEntry[] | undefined): number {
  if (!headers || headers.length === 0) return 0;
  let total = 0;
  for (const h of headers) total += 10 + fieldSize(h.key, 'key') + fieldSize(h.value, 'value');
  return checkTotal(total);
}

function checkTotal(total: number): number {
  if (total > Limits.maxUserHeadersBytes) {
    throw new ProtocolError(
      'TooLarge',
      `user headers are ${total} bytes, max ${Limits.maxUserHeadersBytes}`,
      IggyErrorCode.TooBigUserHeaders,
    );
  }
  return total;
}

function writeField(buf: Buffer, at: number, f: HeaderField): number {
  if (f.kind === HeaderKind.String) return writeStringField(buf, at, f.value);
  buf[at] = f.kind;
  const v = at + 5;
  let n: number;
  switch (f.kind) {
    case HeaderKind.Raw:
      buf.set(f.value, v);
      n = f.value.length;
      break;
    case HeaderKind.Bool:
      buf[v] = f.value ? 1 : 0;
      n = 1;
      break;
    case HeaderKind.Int8:
      n = buf.writeInt8(f.value, v) - v;
      break;
    case HeaderKind.Int16:
      n = buf.writeInt16LE(f.value, v) - v;
      break;
    case HeaderKind.Int32:
      n = buf.writeInt32LE(f.value, v) - v;
      break;
    case HeaderKind.Uint8:
      n = buf.writeUInt8(f.value, v) - v;
      break;
    case HeaderKind.Uint16:
      n = buf.writeUInt16LE(f.value, v) - v;
      break;
    case HeaderKind.Uint32:
      n = buf.writeUInt32LE(f.value, v) - v;
      break;
    case HeaderKind.Int64:
      n = buf.writeBigInt64LE(f.value, v) - v;
      break;
    case HeaderKind.Uint64:
      n = buf.writeBigUInt64LE(f.value, v) - v;
      break;
    case HeaderKind.Int128:
    case HeaderKind.Uint128: {
      const u = BigInt.asUintN(128, f.value);
      buf.writeBigUInt64LE(u & U64, v);
      buf.writeBigUInt64LE(u >> 64n, v + 8);
      n = 16;
      break;
    }
    case HeaderKind.Float32:
      n = buf.writeFloatLE(f.value, v) - v;
      break;
    case HeaderKind.Float64:
      n = buf.writeDoubleLE(f.value, v) - v;
      break;
  }
  buf.writeUInt32LE(n, at + 1);
  return v + n;
}

/**
 * Writes headers already measured by `userHeadersSize` into `buf` at `at`; returns the end position.
 * Layout per entry: `u8 key kind` · `u32 key length` · key · `u8 value kind` · `u32 value length` · value.
 */
export function writeUserHeaders(
  buf: Buffer,
  at: number,
  headers: readonly HeaderEntry[] | undefined,
): number {
  if (!headers) return at;
  let pos = at;
  for (const h of headers) {
    pos = writeField(buf, pos, h.key);
    pos = writeField(buf, pos, h.value);
  }
  return pos;
}

/** Encodes user headers (an empty buffer when there are none). */
export function encodeUserHeaders(headers: readonly HeaderEntry[] | undefined): Buffer {
  const size = userHeadersSize(headers);
  const buf = Buffer.allocUnsafe(size);
  writeUserHeaders(buf, 0, headers);
  return buf;
}

/**
 * Encodes string-keyed string headers, given flat as `[key, value, key, value, ...]` (a pair whose value
 * is `undefined` is left out), straight into their wire bytes: no header objects on the way. Throws like
 * `userHeadersSize`.
 */
export function encodeStringHeaders(pairs: readonly (string | undefined)[]): Buffer {
  let total = 0;
  for (let i = 0; i < pairs.length; i += 2) {
    const value = pairs[i + 1];
    if (value === undefined) continue;
    total += 10 + stringFieldSize(pairs[i], 'key') + stringFieldSize(value, 'value');
  }
  checkTotal(total);
  const buf = Buffer.allocUnsafe(total);
  let pos = 0;
  for (let i = 0; i < pairs.length; i += 2) {
    const value = pairs[i + 1];
    if (value === undefined) continue;
    pos = writeStringField(buf, pos, pairs[i]!);
    pos = writeStringField(buf, pos, value);
  }
  return buf;
}
