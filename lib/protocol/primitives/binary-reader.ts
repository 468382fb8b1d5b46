import { ProtocolError } from '../protocol-error.js';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * A cursor over received bytes. Every read checks the remaining length first, so a lying length
 * field yields a `ProtocolError('Truncated')`, never a RangeError or an oversized allocation.
 */
export class BinaryReader {
  private pos: number;

  constructor(
    readonly buf: Buffer,
    /** What is being decoded, for error messages (`GetStream response`). */
    readonly context: string,
    start = 0,
    private readonly end = buf.length,
  ) {
    this.pos = start;
  }

  get offset(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  /** Throws unless `n` more bytes are available. */
  need(n: number, what: string): void {
    if (n < 0 || this.pos + n > this.end) {
      throw new ProtocolError(
        'Truncated',
        `${this.context}: ${what} needs ${n} bytes at offset ${this.pos}, ${this.remaining} left`,
      );
    }
  }

  u8(what = 'u8'): number {
    this.need(1, what);
    return this.buf[this.pos++]!;
  }

  u16(what = 'u16'): number {
    this.need(2, what);
    const v = this.buf.readUInt16LE(this.pos);
    this.pos += 2;
    return v;
  }

  u32(what = 'u32'): number {
    this.need(4, what);
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  i32(what = 'i32'): number {
    this.need(4, what);
    const v = this.buf.readInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  u64(what = 'u64'): bigint {
    this.need(8, what);
    const v = this.buf.readBigUInt64LE(this.pos);
    this.pos += 8;
    return v;
  }

  /** A u64 that must fit a JS number exactly (counts, sizes). */
  u64Number(what = 'u64'): number {
    const v = this.u64(what);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new ProtocolError('InvalidValue', `${this.context}: ${what} ${v} exceeds 2^53`);
    }
    return Number(v);
  }

  u128(what = 'u128'): bigint {
    this.need(16, what);
    const lo = this.buf.readBigUInt64LE(this.pos);
    const hi = this.buf.readBigUInt64LE(this.pos + 8);
    this.pos += 16;
    return (hi << 64n) | lo;
  }

  f32(what = 'f32'): number {
    this.need(4, what);
    const v = this.buf.readFloatLE(this.pos);
    this.pos += 4;
    return v;
  }

  f64(what = 'f64'): number {
    this.need(8, what);
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }

  /** A view (no copy) of the next `n` bytes. */
  bytes(n: number, what = 'bytes'): Buffer {
    this.need(n, what);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  /** `n` bytes of strict UTF-8. */
  utf8(n: number, what = 'string'): string {
    const raw = this.bytes(n, what);
    try {
      return utf8.decode(raw);
    } catch {
      throw new ProtocolError('InvalidUtf8', `${this.context}: ${what} is not valid UTF-8`);
    }
  }

  /** A string prefixed by a u8 length. */
  str8(what = 'string'): string {
    return this.utf8(this.u8(`${what} length`), what);
  }

  /** A string prefixed by a u32 length. */
  str32(what = 'string'): string {
    return this.utf8(this.u32(`${what} length`), what);
  }

  skip(n: number, what = 'bytes'): void {
    this.need(n, what);
    this.pos += n;
  }

  /** Throws when bytes are left over: every codec consumes its whole payload. */
  finish(): void {
    if (this.pos !== this.end) {
      throw new ProtocolError(
        'TrailingBytes',
        `${this.context}: ${this.end - this.pos} unexpected trailing bytes`,
      );
    }
  }
}
