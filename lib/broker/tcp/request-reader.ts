import { CommandCode } from '../../protocol/codes/command-codes.js';
import { IggyErrorCode } from '../../protocol/codes/error-codes.js';
import { REQUEST_HEADER_BYTES, type RequestFrame } from '../../protocol/framing.js';
import { ProtocolError } from '../../protocol/protocol-error.js';

/** Largest payloads a connection accepts, checked from the 8-byte header before any payload is kept. */
export interface RequestSizeLimits {
  /** SendMessages payloads. */
  maxSendBytes: number;
  /** Every other command (the real server 0.8 caps them at 10 MiB). */
  maxControlBytes: number;
}

/** What one `push` yields: the frames completed, then (once) the header that broke the stream. */
export interface ReadResult {
  frames: RequestFrame[];
  /** A length field below 4 or above the limit: nothing after it can be framed, so the connection must end. */
  error?: ProtocolError;
}

/**
 * Splits a connection's byte stream into request frames (`u32 length` · `u32 code` · payload). Unlike
 * `RequestFrameDecoder` it limits the payload per command (SendMessages vs control commands) and reports a
 * bad header after the good frames of the same chunk instead of throwing them away, so those are still
 * answered in order before the connection is closed.
 */
export class RequestReader {
  private chunks: Buffer[] = [];
  private size = 0;
  private failed = false;

  constructor(private readonly limits: RequestSizeLimits) {}

  /** Bytes received that do not yet form a whole frame. */
  get buffered(): number {
    return this.size;
  }

  push(chunk: Buffer): ReadResult {
    const frames: RequestFrame[] = [];
    if (this.failed) return { frames };
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.size += chunk.length;
    }
    while (this.size >= REQUEST_HEADER_BYTES) {
      const head = this.peekHeader();
      const length = head.readUInt32LE(0);
      const code = head.readUInt32LE(4);
      const error = this.checkLength(length, code);
      if (error) {
        this.failed = true;
        this.chunks = [];
        this.size = 0;
        return { frames, error };
      }
      const frameBytes = REQUEST_HEADER_BYTES + length - 4;
      if (this.size < frameBytes) break;
      const frame = this.take(frameBytes);
      frames.push({ code, payload: frame.subarray(REQUEST_HEADER_BYTES) });
    }
    return { frames };
  }

  private checkLength(length: number, code: number): ProtocolError | undefined {
    if (length < 4) {
      return new ProtocolError(
        'LengthMismatch',
        `request length field ${length} is below 4 (command ${code})`,
        IggyErrorCode.InvalidCommand,
      );
    }
    const payload = length - 4;
    const max = code === CommandCode.SendMessages ? this.limits.maxSendBytes : this.limits.maxControlBytes;
    if (payload > max) {
      return new ProtocolError(
        'TooLarge',
        `command ${code}: payload of ${payload} bytes exceeds the limit of ${max}`,
        IggyErrorCode.InvalidCommand,
      );
    }
    return undefined;
  }

  private peekHeader(): Buffer {
    const first = this.chunks[0]!;
    if (first.length >= REQUEST_HEADER_BYTES) return first;
    this.chunks = [Buffer.concat(this.chunks, this.size)];
    return this.chunks[0]!;
  }

  /** Removes and returns the first `n` buffered bytes (a view when they sit in one chunk). */
  private take(n: number): Buffer {
    let first = this.chunks[0]!;
    if (first.length < n) {
      let count = 0;
      let bytes = 0;
      while (bytes < n) bytes += this.chunks[count++]!.length;
      first = Buffer.concat(this.chunks.slice(0, count), bytes);
      this.chunks.splice(0, count, first);
    }
    const out = first.subarray(0, n);
    if (first.length > n) this.chunks[0] = first.subarray(n);
    else this.chunks.shift();
    this.size -= n;
    return out;
  }
}
