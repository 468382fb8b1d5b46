import net from 'node:net';
import { ResponseFrameDecoder, type ResponseFrame } from '../../lib/protocol/framing.js';

/** A plain socket speaking raw Iggy frames: for tests that send what no client would. */
export class RawSocket {
  private readonly decoder = new ResponseFrameDecoder(256 * 1024 * 1024);
  private readonly frames: ResponseFrame[] = [];
  private waiters: (() => void)[] = [];
  private closedFlag = false;
  /** The peer sent bytes that are not response frames. */
  malformed = false;
  readonly closed: Promise<void>;

  private constructor(readonly socket: net.Socket) {
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('data', (chunk: Buffer) => {
      try {
        this.frames.push(...this.decoder.push(chunk));
      } catch {
        this.malformed = true;
        socket.destroy();
      }
      this.wake();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closedFlag = true;
      this.wake();
    });
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RawSocket> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host }, () => {
        socket.off('error', reject);
        resolve(new RawSocket(socket));
      });
      socket.once('error', reject);
    });
  }

  get isClosed(): boolean {
    return this.closedFlag;
  }

  /** Responses received and not yet taken. */
  get pending(): number {
    return this.frames.length;
  }

  write(bytes: Buffer): void {
    if (!this.closedFlag) this.socket.write(bytes);
  }

  /** The next response; rejects when the socket closes first or after `timeoutMs`. */
  async next(timeoutMs = 5_000): Promise<ResponseFrame> {
    const deadline = Date.now() + timeoutMs;
    while (this.frames.length === 0) {
      if (this.closedFlag) throw new Error('socket closed before a response arrived');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no response within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.frames.shift()!;
  }

  /** Takes every response received so far. */
  drain(): ResponseFrame[] {
    return this.frames.splice(0);
  }

  /**
   * Waits until the socket closes or nothing has arrived for `quietMs` (at most `maxMs` in all).
   * Returns true when it closed.
   */
  async settle(quietMs = 25, maxMs = 2_000): Promise<boolean> {
    const deadline = Date.now() + maxMs;
    let seen = -1;
    while (!this.closedFlag && Date.now() < deadline) {
      const count = this.frames.length;
      if (count === seen) return false;
      seen = count;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, quietMs);
        this.waiters.push(() => {
          clearTimeout(timer);
          setTimeout(resolve, 1);
        });
      });
    }
    return this.closedFlag;
  }

  /** Waits until the server closes the socket (rejects after `timeoutMs`). */
  async waitClosed(timeoutMs = 5_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`socket still open after ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([this.closed, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  close(): void {
    this.socket.destroy();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
