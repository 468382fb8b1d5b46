import { CommandCode } from '../../protocol/codes/command-codes.js';
import { IggyErrorCode } from '../../protocol/codes/error-codes.js';
import { FrameSplitter } from '../../protocol/framing-splitter.js';
import type { RequestFrame } from '../../protocol/framing.js';
import { ProtocolError } from '../../protocol/protocol-error.js';

/** Largest payloads a connection accepts, checked from the 8-byte header before any payload is kept. */
export interface RequestSizeLimits {
  /** SendMessages payloads. */
  maxSendBytes: number;
  /** Every other command (the real server 0.8 caps them at 10 MiB). */
  maxControlBytes: number;
}

/**
 * Called with each header's command code and payload length before any of its payload is kept; throws a
 * `ProtocolError` to refuse the frame (which ends the stream like a bad header).
 */
export type FrameAdmission = (code: number, payloadLength: number) => void;

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
 * answered in order before the connection is closed. Frames are views into the chunk that holds them, or
 * assembled with one copy (see `FrameSplitter`).
 */
export class RequestReader {
  private readonly splitter: FrameSplitter;
  private failed = false;

  /** `allocate` gives the buffer a payload spread over several chunks is assembled in. */
  constructor(
    private readonly limits: RequestSizeLimits,
    allocate?: (length: number, code: number) => Buffer,
    private readonly admit?: FrameAdmission,
  ) {
    this.splitter = new FrameSplitter(
      (length, code) => this.payloadLength(length, code),
      allocate ? { allocate: (length, _first, code) => allocate(length, code) } : {},
    );
  }

  /** Bytes received that do not yet form a whole frame. */
  get buffered(): number {
    return this.failed ? 0 : this.splitter.buffered;
  }

  push(chunk: Buffer): ReadResult {
    const frames: RequestFrame[] = [];
    if (this.failed) return { frames };
    try {
      this.splitter.push(chunk, (_length, code, payload) => frames.push({ code, payload }));
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      this.failed = true;
      return { frames, error };
    }
    return { frames };
  }

  private payloadLength(length: number, code: number): number {
    if (length < 4) {
      throw new ProtocolError(
        'LengthMismatch',
        `request length field ${length} is below 4 (command ${code})`,
        IggyErrorCode.InvalidCommand,
      );
    }
    const payload = length - 4;
    const max = code === CommandCode.SendMessages ? this.limits.maxSendBytes : this.limits.maxControlBytes;
    if (payload > max) {
      throw new ProtocolError(
        'TooLarge',
        `command ${code}: payload of ${payload} bytes exceeds the limit of ${max}`,
        IggyErrorCode.InvalidCommand,
      );
    }
    this.admit?.(code, payload);
    return payload;
  }
}
