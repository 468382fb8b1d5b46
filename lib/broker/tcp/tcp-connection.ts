import type { Socket } from 'node:net';
import { CommandCode, commandName } from '../../protocol/codes/command-codes.js';
import { encodeResponseHeader, type RequestFrame } from '../../protocol/framing.js';
import type { BrokerLogger } from '../broker-config.js';
import type { Broker } from '../broker.js';
import { Transport } from '../types.js';
import type { AnyCommandHandler, ServerEndpoints, TcpSession, TrafficObserver } from './command-handlers.js';
import { ProtocolError } from '../../protocol/protocol-error.js';
import {
  admitBeforeLogin,
  BUFFERS_FULL,
  type ConnectionLimits,
  type MemoryBudget,
} from './connection-limits.js';
import { dispatch, errorReply, type Reply } from './dispatch.js';
import type { FrameBufferPool } from './frame-buffer-pool.js';
import { RequestReader, type RequestSizeLimits } from './request-reader.js';

/** What the TCP server reports for metrics. */
export interface TcpObserver extends TrafficObserver {
  request?(command: string, status: number, seconds: number): void;
  connectionOpened?(): void;
  connectionClosed?(): void;
}

/** What a connection needs from its server. */
export interface ConnectionDeps {
  broker: Broker;
  handlers: ReadonlyMap<number, AnyCommandHandler>;
  limits: RequestSizeLimits;
  logger: BrokerLogger;
  endpoints(): ServerEndpoints;
  observer?: TcpObserver;
  /** Queue sizes, the login payload cap and the login timeout (see `ConnectionLimits`). */
  connectionLimits: Omit<ConnectionLimits, 'maxConnections' | 'maxBufferedBytes'>;
  /** Request bytes of every connection of the server together. */
  budget: MemoryBudget;
  /** Where SendMessages payloads spread over several chunks are assembled (default: a new buffer each). */
  framePool?: FrameBufferPool;
}

/** A reply at most this big goes out as one buffer (header copied in front); bigger ones as slices. */
const COALESCE_BYTES = 16 * 1024;
/** After we end a connection, how long the peer has to close its side before the socket is destroyed. */
const ENDING_GRACE_MS = 2_000;
/** Consecutive SendMessages requests served at once (each stamped while those before it are written). */
const MAX_OVERLAPPED_SENDS = 4;

/**
 * One client connection: frames the byte stream, serves requests in arrival order and answers them in
 * that order (clients pipeline and match answers FIFO). A request starts once every earlier one is
 * answered, except that consecutive SendMessages overlap: the next one is validated and stamped while
 * the previous one is being written (the partition log keeps their order).
 *
 * Backpressure: reading pauses while the socket's write buffer is full (until 'drain') and while
 * decoded requests wait beyond `maxQueuedRequests` or `maxQueuedBytes`; the next request is not started
 * before 'drain'. So a client that sends without reading makes the server hold about one reply and one
 * queue, not more.
 *
 * Before login, frame headers are checked before their payload is kept (`admitBeforeLogin`), and a
 * connection not logged in within `loginTimeoutMs` is closed. Every frame's payload is counted against
 * the server's `MemoryBudget` from its header until it is answered.
 */
export class TcpConnection {
  readonly clientId: number;
  private readonly session: TcpSession;
  private readonly reader: RequestReader;
  private readonly queue: RequestFrame[] = [];
  /** One per request started and not yet answered, oldest first: settles once its answer is written. */
  private readonly answering: Promise<void>[] = [];
  private queuedBytes = 0;
  /** Payload bytes taken from the budget: frames admitted and not yet answered. */
  private reservedBytes = 0;
  private loginTimer: NodeJS.Timeout | null;
  private serving = false;
  private writeBlocked = false;
  private draining = false;
  /** The socket was ended by us: nothing more is read or served. */
  private ending = false;
  private closed = false;
  private disconnected = false;
  /** A header broke the stream: answered after the queue, then the connection ends. */
  private poisoned: Reply | null = null;
  private idleWaiters: (() => void)[] = [];
  private drainWaiter: (() => void) | null = null;
  private frameWaiter: (() => void) | null = null;
  private readonly closedPromise: Promise<void>;

  constructor(
    private readonly socket: Socket,
    private readonly deps: ConnectionDeps,
  ) {
    const address = `${socket.remoteAddress ?? 'unknown'}:${socket.remotePort ?? 0}`;
    const client = deps.broker.connect(Transport.Tcp, address);
    this.clientId = client.clientId;
    this.session = { client, authenticated: false };
    const pool = deps.framePool;
    this.reader = new RequestReader(
      deps.limits,
      pool &&
        ((length, code) =>
          code === CommandCode.SendMessages ? pool.take(length) : Buffer.allocUnsafe(length)),
      (code, payload) => this.admit(code, payload),
    );
    this.loginTimer = setTimeout(() => this.onLoginTimeout(), deps.connectionLimits.loginTimeoutMs);
    this.loginTimer.unref();
    this.closedPromise = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => this.onDrain());
    socket.on('error', (error) =>
      deps.logger.debug?.(`client ${this.clientId}: socket error: ${error.message}`),
    );
    socket.on('close', () => this.onClose());
    deps.observer?.connectionOpened?.();
  }

  /** Decoded requests waiting behind the one being served. */
  get queuedRequests(): number {
    return this.queue.length;
  }

  /** Resolves once the socket is closed. */
  get closedSignal(): Promise<void> {
    return this.closedPromise;
  }

  /**
   * Graceful end: stops reading, lets the request being served and those already received finish and
   * be answered, then ends the socket. Resolves when the socket is closed (the caller bounds the wait).
   */
  shutdown(): Promise<void> {
    this.draining = true;
    this.socket.pause();
    void this.whenIdle().then(() => this.end());
    return this.closedPromise;
  }

  /** Closes the socket at once (after a shutdown timeout, or on a broken stream). */
  destroy(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    if (this.draining || this.ending || this.poisoned) return;
    const { frames, error } = this.reader.push(chunk);
    for (const frame of frames) {
      this.queue.push(frame);
      this.queuedBytes += frame.payload.length;
    }
    if (frames.length > 0) this.frameWaiter?.();
    if (error) {
      const log = error.code === BUFFERS_FULL ? this.deps.logger.warn : this.deps.logger.debug;
      log?.call(this.deps.logger, `client ${this.clientId}: ${error.message}; closing the connection`);
      this.poisoned = { ...errorReply(error.code), close: true };
      this.socket.pause();
    }
    this.updateReading();
    void this.serve();
  }

  private async serve(): Promise<void> {
    if (this.serving) return;
    this.serving = true;
    try {
      while (!this.closed && !this.ending) {
        if (this.writeBlocked) await new Promise<void>((resolve) => (this.drainWaiter = resolve));
        if (this.closed) break;
        const frame = this.queue[0];
        const started = this.answering.length;
        if (!frame) {
          if (started > 0) {
            // Until everything is answered or another request arrives.
            await Promise.race([
              this.answering[started - 1],
              new Promise<void>((resolve) => (this.frameWaiter = resolve)),
            ]);
            this.frameWaiter = null;
            continue;
          }
          if (this.poisoned) this.finish(this.poisoned);
          break;
        }
        const overlaps = frame.code === CommandCode.SendMessages;
        if (started > 0 && (!overlaps || started >= MAX_OVERLAPPED_SENDS)) {
          await this.answering[overlaps ? 0 : started - 1];
          continue;
        }
        this.queue.shift();
        this.queuedBytes -= frame.payload.length;
        this.updateReading();
        const answered = this.start(frame);
        if (!overlaps) await answered;
      }
    } catch (error) {
      this.fail(error);
    } finally {
      // A request still being served keeps its client until it completes.
      await this.answering[this.answering.length - 1];
      this.serving = false;
      if (this.disconnected === false && this.closed) this.disconnect();
      this.notifyIdle();
    }
  }

  /** Serves `frame`; its answer is written after every earlier one. */
  private start(frame: RequestFrame): Promise<void> {
    const reply = this.serveOne(frame);
    const previous = this.answering[this.answering.length - 1];
    const answered = (async () => {
      try {
        await previous;
        const answer = await reply;
        if (!this.closed && !this.ending) this.finish(answer);
        // Stored (or copied) by the broker, and not referred to by the answer: its buffer can be reused.
        if (answer.status === 0 && frame.code === CommandCode.SendMessages)
          this.deps.framePool?.give(frame.payload);
      } catch (error) {
        this.fail(error);
      } finally {
        this.answering.shift();
        this.release(frame.payload.length);
        if (this.session.authenticated) this.clearLoginTimer();
      }
    })();
    this.answering.push(answered);
    return answered;
  }

  /** Checks a frame header (see `FrameAdmission`): before login, then against the server's budget. */
  private admit(code: number, payload: number): void {
    if (!this.session.authenticated)
      admitBeforeLogin(code, payload, this.deps.connectionLimits.maxLoginBytes);
    const budget = this.deps.budget;
    if (!budget.tryReserve(payload)) {
      throw new ProtocolError(
        'TooLarge',
        `a request of ${payload} bytes does not fit: the server holds ${budget.used} of its ` +
          `${budget.limit} bytes of receive buffers (maxBufferedBytes)`,
        BUFFERS_FULL,
      );
    }
    this.reservedBytes += payload;
  }

  private release(bytes: number): void {
    const n = Math.min(bytes, this.reservedBytes);
    this.reservedBytes -= n;
    this.deps.budget.release(n);
  }

  private onLoginTimeout(): void {
    this.loginTimer = null;
    if (this.session.authenticated || this.closed || this.ending) return;
    this.deps.logger.debug?.(
      `client ${this.clientId}: not logged in within ${this.deps.connectionLimits.loginTimeoutMs} ms; closing`,
    );
    this.end();
  }

  private clearLoginTimer(): void {
    if (this.loginTimer) clearTimeout(this.loginTimer);
    this.loginTimer = null;
  }

  /** Not expected (dispatch never throws): drop this connection, never the process. */
  private fail(error: unknown): void {
    this.deps.logger.error(`client ${this.clientId}: connection failed: ${String(error)}`);
    this.socket.destroy();
  }

  private async serveOne(frame: RequestFrame): Promise<Reply> {
    const started = performance.now();
    const reply = await dispatch(
      frame,
      this.deps.handlers,
      {
        session: this.session,
        endpoints: this.deps.endpoints,
        traffic: this.deps.observer,
      },
      this.deps.logger,
    );
    this.deps.observer?.request?.(
      commandName(frame.code) ?? 'Unknown',
      reply.status,
      (performance.now() - started) / 1000,
    );
    return reply;
  }

  /** Writes the reply (header, then its slices in one vectored write) and ends the socket if asked. */
  private finish(reply: Reply): void {
    if (this.closed) return;
    let size = 0;
    for (const s of reply.slices) size += s.length;
    const header = encodeResponseHeader(reply.status, size);
    let flushed: boolean;
    if (size === 0) {
      flushed = this.socket.write(header);
    } else if (size <= COALESCE_BYTES) {
      flushed = this.socket.write(Buffer.concat([header, ...reply.slices], header.length + size));
    } else {
      this.socket.cork();
      this.socket.write(header);
      for (const slice of reply.slices) if (slice.length > 0) this.socket.write(slice);
      flushed = this.socket.writableLength < this.socket.writableHighWaterMark;
      this.socket.uncork();
    }
    if (reply.close) {
      this.end();
      return;
    }
    if (!flushed) {
      this.writeBlocked = true;
      this.updateReading();
    }
  }

  private end(): void {
    if (this.ending || this.closed) return;
    this.ending = true;
    this.queue.length = 0;
    this.queuedBytes = 0;
    this.socket.end();
    this.updateReading();
    setTimeout(() => this.socket.destroy(), ENDING_GRACE_MS).unref();
    this.notifyIdle();
  }

  private onDrain(): void {
    if (!this.writeBlocked) return;
    this.writeBlocked = false;
    this.updateReading();
    const waiter = this.drainWaiter;
    this.drainWaiter = null;
    waiter?.();
  }

  private updateReading(): void {
    if (this.closed) return;
    if (this.ending) {
      // Discard whatever still arrives so the peer's FIN is seen and the socket can close.
      this.socket.resume();
      return;
    }
    const hold =
      this.draining ||
      this.poisoned !== null ||
      this.writeBlocked ||
      this.queue.length > this.deps.connectionLimits.maxQueuedRequests ||
      this.queuedBytes > this.deps.connectionLimits.maxQueuedBytes;
    if (hold) this.socket.pause();
    else if (this.socket.isPaused()) this.socket.resume();
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue.length = 0;
    this.queuedBytes = 0;
    this.clearLoginTimer();
    this.release(this.reservedBytes);
    const waiter = this.drainWaiter;
    this.drainWaiter = null;
    waiter?.();
    // A request still being served keeps its client until it completes (see `serve`).
    if (!this.serving) this.disconnect();
    this.notifyIdle();
    this.deps.observer?.connectionClosed?.();
  }

  private disconnect(): void {
    this.disconnected = true;
    this.session.client.close().catch((error: unknown) => {
      this.deps.logger.warn(`client ${this.clientId}: disconnect failed: ${String(error)}`);
    });
  }

  private whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private isIdle(): boolean {
    return this.closed || this.ending || (!this.serving && this.queue.length === 0);
  }

  private notifyIdle(): void {
    if (!this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
