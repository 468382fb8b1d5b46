/** Bytes of every frame header: two u32 words (request: length · code; response: status · length). */
const HEADER_BYTES = 8;
/** A payload up to this size gets its buffer as soon as its header is read. */
const EAGER_PAYLOAD_BYTES = 4 * 1024 * 1024;
const EMPTY = Buffer.alloc(0);

/** Turns a frame header into its payload length, or throws (a `ProtocolError`) when the header is bad. */
export type PayloadLength = (first: number, second: number) => number;

/** Gives the buffer a payload of `length` bytes is assembled in (default `Buffer.allocUnsafe`). */
export type PayloadAllocator = (length: number, first: number, second: number) => Buffer;

/** How a `FrameSplitter` gets its buffers. */
export interface FrameSplitterOptions {
  /** Default `Buffer.allocUnsafe`. */
  allocate?: PayloadAllocator;
  /**
   * The caller reads into one buffer again and again (a socket's `onread`), so a payload is always
   * copied out of the chunk, never handed out as a view into it. Default false.
   */
  reusedChunks?: boolean;
}

/** Receives one whole frame: its two header words and its payload. */
export type FrameSink = (first: number, second: number, payload: Buffer) => void;

/**
 * Splits a byte stream into frames of `u32 · u32 · payload`, with at most one copy per byte:
 * - a frame inside one chunk is a view into that chunk (no copy), unless chunks are reused;
 * - a frame spread over chunks is copied, as each chunk arrives, into one buffer of its exact size, so
 *   received chunks are dropped at once (no list of chunks, no concat at the end).
 *
 * The payload length comes from `payloadLength(first, second)`, which checks it (size limits) before
 * anything is allocated. A payload above 4 MiB is not allocated from its header alone: its chunks are
 * kept until half of it has arrived, so a peer cannot make us hold more than twice what it sent.
 */
export class FrameSplitter {
  private readonly head = Buffer.alloc(HEADER_BYTES);
  private headBytes = 0;
  private first = 0;
  private second = 0;
  /** Length of the payload being received, or -1 while reading a header. */
  private length = -1;
  private payload: Buffer | null = null;
  private filled = 0;
  /** Chunks of a large payload received before its buffer is allocated. */
  private parts: Buffer[] = [];

  private readonly allocate: PayloadAllocator;
  private readonly reusedChunks: boolean;

  constructor(
    private readonly payloadLength: PayloadLength,
    options: FrameSplitterOptions = {},
  ) {
    this.allocate = options.allocate ?? ((length) => Buffer.allocUnsafe(length));
    this.reusedChunks = options.reusedChunks ?? false;
  }

  /** Bytes received but not yet part of a whole frame. */
  get buffered(): number {
    return this.length < 0 ? this.headBytes : HEADER_BYTES + this.filled;
  }

  /**
   * Feeds received bytes and hands every frame they complete to `sink`, in order. Throws what
   * `payloadLength` throws (frames before the bad header have been handed over); after that the
   * splitter must not be used again.
   */
  push(chunk: Buffer, sink: FrameSink): void {
    let pos = 0;
    const size = chunk.length;
    while (pos < size) {
      if (this.length < 0) {
        if (this.headBytes === 0 && size - pos >= HEADER_BYTES) {
          this.first = chunk.readUInt32LE(pos);
          this.second = chunk.readUInt32LE(pos + 4);
          pos += HEADER_BYTES;
        } else {
          const n = Math.min(HEADER_BYTES - this.headBytes, size - pos);
          chunk.copy(this.head, this.headBytes, pos, pos + n);
          this.headBytes += n;
          pos += n;
          if (this.headBytes < HEADER_BYTES) return;
          this.first = this.head.readUInt32LE(0);
          this.second = this.head.readUInt32LE(4);
        }
        const length = this.payloadLength(this.first, this.second);
        this.headBytes = 0;
        if (size - pos >= length) {
          // The whole payload is in this chunk: a view, unless the chunk is to be overwritten.
          sink(this.first, this.second, this.inChunk(chunk, pos, length));
          pos += length;
          continue;
        }
        this.length = length;
        this.filled = 0;
        if (length <= EAGER_PAYLOAD_BYTES) this.payload = this.allocate(length, this.first, this.second);
      }
      pos = this.fill(chunk, pos);
      if (this.filled < this.length) return;
      const payload = this.payload!;
      this.payload = null;
      this.length = -1;
      this.filled = 0;
      sink(this.first, this.second, payload);
    }
  }

  private inChunk(chunk: Buffer, pos: number, length: number): Buffer {
    if (length === 0) return EMPTY;
    if (!this.reusedChunks) return chunk.subarray(pos, pos + length);
    const payload = this.allocate(length, this.first, this.second);
    chunk.copy(payload, 0, pos, pos + length);
    return payload;
  }

  /** Takes payload bytes of the frame being received from `chunk` at `pos`; returns the new position. */
  private fill(chunk: Buffer, pos: number): number {
    const n = Math.min(this.length - this.filled, chunk.length - pos);
    if (this.payload) {
      chunk.copy(this.payload, this.filled, pos, pos + n);
    } else {
      const part = pos === 0 && n === chunk.length ? chunk : chunk.subarray(pos, pos + n);
      this.parts.push(this.reusedChunks ? Buffer.from(part) : part);
      if ((this.filled + n) * 2 >= this.length) {
        this.payload = this.allocate(this.length, this.first, this.second);
        let at = 0;
        for (const part of this.parts) at += part.copy(this.payload, at);
        this.parts = [];
      }
    }
    this.filled += n;
    return pos + n;
  }
}
