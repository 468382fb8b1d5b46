/** How many spare buffers, and how many bytes of them, a pool keeps at most. */
export interface FrameBufferPoolLimits {
  maxBuffers: number;
  maxBytes: number;
}

/** Below this a frame is not worth pooling (`Buffer.allocUnsafe` takes it from Node's own pool). */
const MIN_POOLED_BYTES = 64 * 1024;

/**
 * Recycles the buffers that large request frames are assembled in. A fresh megabyte buffer per
 * SendMessages is external memory that outlives the write it is stored by, so V8 collects it only in a
 * full GC: reusing the buffer of a request that is done avoids most of those collections. A buffer is
 * given back only once nothing refers to it any more (see `TcpConnection`): never while its request is
 * served, never after a failed one.
 */
export class FrameBufferPool {
  private readonly spares: Buffer[] = [];
  private spareBytes = 0;
  /** Buffers handed out by `take`, by the view returned, to find their whole buffer again. */
  private readonly lent = new WeakMap<Buffer, Buffer>();

  constructor(private readonly limits: FrameBufferPoolLimits) {}

  /** A buffer of exactly `length` bytes (contents undefined), recycled when one fits. */
  take(length: number): Buffer {
    if (length < MIN_POOLED_BYTES) return Buffer.allocUnsafe(length);
    let best = -1;
    for (let i = 0; i < this.spares.length; i++) {
      const size = this.spares[i]!.length;
      // Big enough, and not so big that a small frame pins a huge buffer.
      if (size >= length && size <= length * 2 && (best < 0 || size < this.spares[best]!.length)) best = i;
    }
    const whole = best < 0 ? Buffer.allocUnsafe(length) : this.spares.splice(best, 1)[0]!;
    if (best >= 0) this.spareBytes -= whole.length;
    const view = whole.length === length ? whole : whole.subarray(0, length);
    this.lent.set(view, whole);
    return view;
  }

  /** Gives back a buffer from `take` whose contents nobody needs any more; others are ignored. */
  give(view: Buffer): void {
    const whole = this.lent.get(view);
    if (!whole) return;
    this.lent.delete(view);
    if (this.spares.length >= this.limits.maxBuffers || this.spareBytes + whole.length > this.limits.maxBytes)
      return;
    this.spares.push(whole);
    this.spareBytes += whole.length;
  }

  /** Spare buffers held (for tests). */
  get spareCount(): number {
    return this.spares.length;
  }
}
