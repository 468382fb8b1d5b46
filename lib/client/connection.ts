import net from 'node:net';
import tls from 'node:tls';
import { IggyErrorCode } from '../protocol/codes/error-codes.js';
import { ResponseFrameDecoder, type ResponseFrame } from '../protocol/framing.js';
import { ProtocolError } from '../protocol/protocol-error.js';
import { IggyClientError } from './errors.js';
import { NagleWatch, warnNagleOnServer } from './nagle-watch.js';
import type { IggyTlsOptions, ResolvedAddress } from './options.js';

/** One request as the connection sees it: bytes to write and where its response goes. */
export interface WireRequest {
  readonly command: string;
  readonly header: Buffer;
  /** The payload in parts, written back to back. */
  readonly payload: readonly Buffer[];
  /** True once the caller has its answer or gave up (timeout); a late response is then dropped. */
  readonly settled: boolean;
  onResponse(frame: ResponseFrame): void;
  onFailure(error: IggyClientError): void;
}

export interface ConnectionOptions {
  tls: IggyTlsOptions | undefined;
  connectTimeoutMs: number;
  maxResponseBytes: number;
  noDelay: boolean;
}

export interface ConnectionHooks {
  /** A response arrived: the in-flight window has room again. */
  onDrain(connection: Connection): void;
  /** The connection is gone; `inFlight` are the requests written and not answered, in order. */
  onClose(connection: Connection, reason: IggyClientError, inFlight: WireRequest[]): void;
}

export function formatAddress(address: ResolvedAddress): string {
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}

/** Bytes a plain TCP connection reads at once into its reused buffer (Node's own default is 64 KiB). */
const READ_BUFFER_BYTES = 256 * 1024;

/**
 * Reads a socket into one buffer, reused for every read, instead of a new Buffer per 'data' event: no
 * allocation per read, and no readable-stream machinery. What it reads goes to `deliver`, which must
 * copy out what it keeps before returning.
 */
class SocketReader {
  deliver: (chunk: Buffer) => void = () => undefined;
  readonly onread = {
    buffer: Buffer.allocUnsafe(READ_BUFFER_BYTES),
    callback: (bytes: number, buffer: Uint8Array): boolean => {
      this.deliver(Buffer.from(buffer.buffer, buffer.byteOffset, bytes));
      return true;
    },
  };
}

/**
 * One TCP or TLS socket speaking Iggy frames. Requests are written back to back (pipelined); the server
 * answers them in order and responses carry no id, so they are matched to a FIFO of written requests.
 * Every failure ends the connection and hands the unanswered requests to `onClose`: a dead or confused
 * stream can never give one request another's response.
 */
export class Connection {
  private readonly fifo: WireRequest[] = [];
  /** When each request of `fifo` was written (`performance.now()`), while the Nagle watch is watching. */
  private readonly writtenAt: number[] = [];
  private readonly nagle: NagleWatch;
  private readonly decoder: ResponseFrameDecoder;
  private readonly watchdogs = new Set<NodeJS.Timeout>();
  private lastSocketError: Error | undefined;
  private ended = false;
  /** Resolves once the socket is fully closed. */
  readonly closed: Promise<void>;

  private constructor(
    private readonly socket: net.Socket,
    readonly address: string,
    maxResponseBytes: number,
    private readonly hooks: ConnectionHooks,
    reader: SocketReader | undefined,
  ) {
    // Read into one reused buffer (plain TCP): frames are copied out of it, once, as they complete.
    this.decoder = new ResponseFrameDecoder(maxResponseBytes, { reusedChunks: reader !== undefined });
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    this.nagle = new NagleWatch((stalls, answers) => warnNagleOnServer(address, stalls, answers));
    if (reader) reader.deliver = (chunk) => this.onData(chunk);
    else socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => {
      this.lastSocketError = err;
    });
    // The server closed its side: it answers nothing more, so nothing more is written to it (a request
    // written before 'close' would be lost with it; from here on, requests wait for the reconnection).
    socket.on('end', () => {
      this.end(new IggyClientError('Disconnected', `connection to ${address} closed by the server`));
    });
    socket.on('close', () => {
      const cause = this.lastSocketError;
      const detail = cause ? `: ${cause.message}` : '';
      this.end(new IggyClientError('Disconnected', `connection to ${address} closed${detail}`, { cause }));
    });
  }

  /** Opens a socket to one address; rejects with `IggyClientError('Connection')`. */
  /**
   * Opens the first of `addresses` that answers, in order; a `Connection` error naming every failure when
   * none does, `Closed` when `closed()` turns true meanwhile.
   */
  static async openFirst(
    addresses: readonly ResolvedAddress[],
    options: ConnectionOptions,
    hooks: ConnectionHooks,
    closed: () => boolean,
  ): Promise<Connection> {
    const failures: string[] = [];
    let lastError: unknown;
    for (const address of addresses) {
      if (closed()) break;
      try {
        return await Connection.open(address, options, hooks);
      } catch (err) {
        lastError = err;
        failures.push(err instanceof Error ? err.message : `${formatAddress(address)}: ${String(err)}`);
      }
    }
    if (closed()) throw new IggyClientError('Closed', 'client closed while connecting');
    throw new IggyClientError('Connection', `no address answered (${failures.join('; ')})`, {
      cause: lastError,
    });
  }

  static open(
    address: ResolvedAddress,
    options: ConnectionOptions,
    hooks: ConnectionHooks,
  ): Promise<Connection> {
    const label = formatAddress(address);
    return new Promise((resolve, reject) => {
      const secure = options.tls;
      // TLS sockets take no `onread`: they emit a new Buffer per 'data' event.
      const reader = secure ? undefined : new SocketReader();
      const socket = secure
        ? tls.connect({
            host: address.host,
            port: address.port,
            ca: secure.ca,
            cert: secure.cert,
            key: secure.key,
            rejectUnauthorized: secure.rejectUnauthorized ?? true,
            servername: secure.servername ?? (net.isIP(address.host) ? undefined : address.host),
          })
        : net.connect({ host: address.host, port: address.port, onread: reader?.onread });
      const onError = (err: Error) => fail(err.message, err);
      const onClose = () => fail('socket closed while connecting');
      const detach = () => {
        clearTimeout(timer);
        socket.off('error', onError);
        socket.off('close', onClose);
        socket.off(connectEvent, onConnect);
      };
      const fail = (message: string, cause?: unknown) => {
        detach();
        socket.on('error', () => {});
        socket.destroy();
        reject(new IggyClientError('Connection', `cannot connect to ${label}: ${message}`, { cause }));
      };
      const onConnect = () => {
        detach();
        socket.setNoDelay(options.noDelay);
        socket.setKeepAlive(true, 30_000);
        resolve(new Connection(socket, label, options.maxResponseBytes, hooks, reader));
      };
      const connectEvent = options.tls ? 'secureConnect' : 'connect';
      const timer = setTimeout(
        () => fail(`no connection within ${options.connectTimeoutMs} ms`),
        options.connectTimeoutMs,
      );
      socket.on('error', onError);
      socket.on('close', onClose);
      socket.on(connectEvent, onConnect);
    });
  }

  get isOpen(): boolean {
    return !this.ended;
  }

  /** Requests written and not yet answered (timed-out ones included: their response is still due). */
  get inFlight(): number {
    return this.fifo.length;
  }

  /** Writes requests back to back in one corked burst (header and payload parts as separate chunks: no copy). */
  sendAll(requests: readonly WireRequest[]): void {
    if (this.ended) {
      for (const r of requests)
        r.onFailure(
          new IggyClientError('Disconnected', `connection to ${this.address} is closed`, {
            command: r.command,
          }),
        );
      return;
    }
    this.socket.cork();
    const timed = this.nagle.watching;
    const now = timed ? performance.now() : 0;
    for (const r of requests) {
      this.fifo.push(r);
      if (timed) this.writtenAt.push(now);
      this.socket.write(r.header);
      for (const part of r.payload) if (part.length > 0) this.socket.write(part);
    }
    this.socket.uncork();
  }

  /**
   * A written request timed out. Its slot stays in the FIFO so its late response is dropped; but if even
   * after `graceMs` more nothing answered it, the server is wedged (or the stream lost a frame): end the
   * connection rather than let every later request time out behind it.
   */
  watchTimedOut(request: WireRequest, graceMs: number): void {
    if (this.ended) return;
    const timer = setTimeout(() => {
      this.watchdogs.delete(timer);
      if (!this.ended && this.fifo.includes(request)) {
        this.destroy(
          new IggyClientError(
            'Disconnected',
            `no response to ${request.command} from ${this.address} after its timeout plus ${graceMs} ms; connection dropped`,
          ),
        );
      }
    }, graceMs);
    timer.unref();
    this.watchdogs.add(timer);
  }

  /** Ends the connection now; unanswered requests fail with `reason`. */
  destroy(reason: IggyClientError): void {
    this.end(reason);
  }

  private end(reason: IggyClientError): void {
    if (this.ended) return;
    this.ended = true;
    for (const t of this.watchdogs) clearTimeout(t);
    this.watchdogs.clear();
    this.socket.destroy();
    const inFlight = this.fifo.splice(0);
    this.writtenAt.length = 0;
    this.hooks.onClose(this, reason, inFlight);
  }

  private onData(chunk: Buffer): void {
    if (this.ended) return;
    let frames: ResponseFrame[];
    try {
      frames = this.decoder.push(chunk);
    } catch (err) {
      const message = err instanceof ProtocolError ? err.message : String(err);
      this.end(
        new IggyClientError('Protocol', `bad response frame from ${this.address}: ${message}`, {
          cause: err,
        }),
      );
      return;
    }
    const timed = this.nagle.watching;
    const now = timed ? performance.now() : 0;
    for (const frame of frames) {
      if (frame.status === IggyErrorCode.Disconnected) {
        // The server says goodbye (shutdown) with an unsolicited `Disconnected` frame, read while it was
        // waiting for our next request: whatever is still in flight was never read, so it fails as
        // 'Disconnected' rather than taking this frame as its answer.
        this.end(
          new IggyClientError('Disconnected', `server ${this.address} closed the connection (Disconnected)`),
        );
        return;
      }
      const request = this.fifo.shift();
      if (!request) {
        this.end(
          new IggyClientError(
            'Protocol',
            `unsolicited response (status ${frame.status}) from ${this.address}`,
          ),
        );
        return;
      }
      if (timed) this.timeAnswer(now);
      if (!request.settled) request.onResponse(frame);
    }
    if (frames.length > 0) this.hooks.onDrain(this);
  }

  /** Tells the Nagle watch how long the oldest request waited; drops the write times once it has spoken. */
  private timeAnswer(now: number): void {
    if (!this.nagle.watching) return; // it spoke on an earlier frame of this read
    this.nagle.answered(now - this.writtenAt.shift()!);
    if (!this.nagle.watching) this.writtenAt.length = 0;
  }
}
