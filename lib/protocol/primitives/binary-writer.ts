import { ProtocolError } from '../protocol-error.js';

const MAX_U64 = (1n << 64n) - 1n;
const MAX_U128 = (1n << 128n) - 1n;

/** A growable little-endian byte builder for encoding payloads. */
export class BinaryWriter {
  private buf: Buffer;
  private pos = 0;

  constructor(initialSize = 64) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  get length(): number {
    return this.pos;
  }

  private reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  u8(v: number): this {
    checkUint(v, 0xff, 'u8');
    this.reserve(1);
    this.buf[this.pos++] = v;
    return this;
  }

  u16(v: number): this {
    checkUint(v, 0xffff, 'u16');
    this.reserve(2);
    this.buf.writeUInt16LE(v, this.pos);
    this.pos += 2;
    return this;
  }

  u32(v: number): this {
    checkUint(v, 0xffffffff, 'u32');
    this.reserve(4);
    this.buf.writeUInt32LE(v, this.pos);
    this.pos += 4;
    return this;
  }

  i32(v: number): this {
    this.reserve(4);
    this.buf.writeInt32LE(v, this.pos);
    this.pos += 4;
    return this;
  }

  u64(v: bigint | number): this {
    const b = BigInt(v);
    if (b < 0n || b > MAX_U64) throw new ProtocolError('InvalidValue', `u64 out of range: ${v}`);
    this.reserve(8);
    this.buf.writeBigUInt64LE(b, this.pos);
    this.pos += 8;
    return this;
  }

  u128(v: bigint): this {
    if (v < 0n || v > MAX_U128) throw new ProtocolError('InvalidValue', `u128 out of range: ${v}`);
    this.reserve(16);
    this.buf.writeBigUInt64LE(v & MAX_U64, this.pos);
    this.buf.writeBigUInt64LE(v >> 64n, this.pos + 8);
    this.pos += 16;
    return this;
  }

  f32(v: number): this {
    this.reserve(4);
    this.buf.writeFloatLE(v, this.pos);
    this.pos += 4;
    return this;
  }

  f64(v: number): this {
    this.reserve(8);
    this.buf.writeDoubleLE(v, this.pos);
    this.pos += 8;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.reserve(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  /** A string prefixed by a u8 length; 0..255 bytes of UTF-8. */
  str8(s: string, what = 'string'): this {
    const b = Buffer.from(s, 'utf8');
    if (b.length > 0xff) throw new ProtocolError('TooLarge', `${what} is ${b.length} bytes, max 255`);
    return this.u8(b.length).bytes(b);
  }

  /** A string prefixed by a u32 length. */
  str32(s: string): this {
    const b = Buffer.from(s, 'utf8');
    return this.u32(b.length).bytes(b);
  }

  /** The bytes written so far (a copy-free view). */
  finish(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}

function checkUint(v: number, max: number, what: string): void {
  if (!Number.isInteger(v) || v < 0 || v > max)
    throw new ProtocolError('InvalidValue', `${what} out of range: ${v}`);
}
