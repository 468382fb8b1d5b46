import { FrameSplitter } from './framing-splitter.js';
import { ProtocolError } from './protocol-error.js';

/** `u32 length` (4 + payload) · `u32 command code`. */
export const REQUEST_HEADER_BYTES = 8;
/** `u32 status` · `u32 payload length`. */
export const RESPONSE_HEADER_BYTES = 8;

export interface RequestFrame {
  code: number;
  payload: Buffer;
}

export interface ResponseFrame {
  /** 0 = ok, otherwise an Iggy error code. */
  status: number;
  payload: Buffer;
}

const EMPTY = Buffer.alloc(0);

export function encodeRequestFrame(code: number, payload: Buffer = EMPTY): Buffer {
  const frame = Buffer.allocUnsafe(REQUEST_HEADER_BYTES + payload.length);
  frame.writeUInt32LE(4 + payload.length, 0);
  frame.writeUInt32LE(code, 4);
  payload.copy(frame, REQUEST_HEADER_BYTES);
  return frame;
}

/** Only the header of a request frame, for writing the payload separately (no copy). */
export function encodeRequestHeader(code: number, payloadLength: number): Buffer {
  const header = Buffer.allocUnsafe(REQUEST_HEADER_BYTES);
  header.writeUInt32LE(4 + payloadLength, 0);
  header.writeUInt32LE(code, 4);
  return header;
}

export function encodeResponseFrame(status: number, payload: Buffer = EMPTY): Buffer {
  const body = status === 0 ? payload : EMPTY;
  const frame = Buffer.allocUnsafe(RESPONSE_HEADER_BYTES + body.length);
  frame.writeUInt32LE(status, 0);
  frame.writeUInt32LE(body.length, 4);
  body.copy(frame, RESPONSE_HEADER_BYTES);
  return frame;
}

/** Only the header of an ok response, for writing the payload separately (no copy). */
export function encodeResponseHeader(status: number, payloadLength: number): Buffer {
  const header = Buffer.allocUnsafe(RESPONSE_HEADER_BYTES);
  header.writeUInt32LE(status, 0);
  header.writeUInt32LE(payloadLength, 4);
  return header;
}

/** Decodes one whole request frame (tests, fuzzing); streams use `RequestFrameDecoder`. */
export function decodeRequestFrame(frame: Buffer, maxPayloadBytes = Infinity): RequestFrame {
  return decodeWholeFrame(new RequestFrameDecoder(maxPayloadBytes), frame, 'request');
}

/** Decodes one whole response frame (tests, fuzzing); streams use `ResponseFrameDecoder`. */
export function decodeResponseFrame(frame: Buffer, maxPayloadBytes = Infinity): ResponseFrame {
  return decodeWholeFrame(new ResponseFrameDecoder(maxPayloadBytes), frame, 'response');
}

function decodeWholeFrame<F>(decoder: FrameDecoder<F>, frame: Buffer, what: string): F {
  const frames = decoder.push(frame);
  if (frames.length !== 1 || decoder.buffered !== 0) {
    throw new ProtocolError(
      'LengthMismatch',
      `${what} frame of ${frame.length} bytes does not hold exactly one frame`,
    );
  }
  return frames[0]!;
}

/**
 * Splits a byte stream into frames of `u32 · u32 · payload`. The payload size is checked against
 * `maxPayloadBytes` from the 8-byte header, before any byte of it is buffered. Frames are views into the
 * chunk that holds them, or assembled with one copy (see `FrameSplitter`).
 */
abstract class FrameDecoder<F> {
  private readonly splitter: FrameSplitter;
  private failure: ProtocolError | undefined;

  /** `reusedChunks`: the caller overwrites each chunk after `push` (see `FrameSplitterOptions`). */
  constructor(
    readonly maxPayloadBytes: number,
    options: { reusedChunks?: boolean } = {},
  ) {
    this.splitter = new FrameSplitter((first, second) => this.checkedLength(first, second), {
      reusedChunks: options.reusedChunks,
    });
  }

  /** Bytes received but not yet part of a whole frame. */
  get buffered(): number {
    return this.splitter.buffered;
  }

  protected abstract payloadLength(first: number, second: number): number;
  protected abstract frame(first: number, second: number, payload: Buffer): F;

  /**
   * Feeds received bytes; returns every frame they complete. Throws `ProtocolError` on a bad header
   * (then on every later push: nothing after a bad header can be framed).
   */
  push(chunk: Buffer): F[] {
    if (this.failure) throw this.failure;
    const out: F[] = [];
    try {
      this.splitter.push(chunk, (first, second, payload) => out.push(this.frame(first, second, payload)));
    } catch (error) {
      if (error instanceof ProtocolError) this.failure = error;
      throw error;
    }
    return out;
  }

  private checkedLength(first: number, second: number): number {
    const length = this.payloadLength(first, second);
    if (length > this.maxPayloadBytes) {
      throw new ProtocolError(
        'TooLarge',
        `frame payload of ${length} bytes exceeds the limit of ${this.maxPayloadBytes}`,
      );
    }
    return length;
  }
}

export class RequestFrameDecoder extends FrameDecoder<RequestFrame> {
  protected payloadLength(length: number): number {
    if (length < 4) throw new ProtocolError('LengthMismatch', `request length field ${length} is below 4`);
    return length - 4;
  }

  protected frame(_length: number, code: number, payload: Buffer): RequestFrame {
    return { code, payload };
  }
}

export class ResponseFrameDecoder extends FrameDecoder<ResponseFrame> {
  protected payloadLength(_status: number, length: number): number {
    return length;
  }

  protected frame(status: number, _length: number, payload: Buffer): ResponseFrame {
    return { status, payload };
  }
}
