import { WakeableDelay } from '../common/wakeable-delay.js';
import { EventEmitter } from 'node:events';
import type { CommandCodec } from '../protocol/command-codec.js';
import { createCall, type Call, type RequestCoder } from './call.js';
import { IggyClientError } from './errors.js';
import { Connection, type ConnectionHooks, type WireRequest } from './connection.js';
import { Heartbeat } from './heartbeat.js';
import { OfflineWindow } from './offline-window.js';
import {
  backoffDelay,
  resolveClientOptions,
  type IggyClientOptions,
  type IggyCredentials,
  type ResolvedClientOptions,
} from './options.js';
import { RequestQueue } from './request-queue.js';

export type { RequestCoder } from './call.js';

/** Events of `IggyClient`. */
export interface IggyClientEvents {
  /** A connection is open (and logged in, when there are credentials). */
  connected: [info: { address: string }];
  /** An established connection died; in-flight requests were rejected with 'Disconnected'. */
  disconnected: [error: IggyClientError];
  /** A reconnect attempt starts after `delayMs`. */
  reconnecting: [info: { attempt: number; delayMs: number }];
  /** A failure nobody awaits: a failed reconnect attempt, giving up. Emitted only when listened to. */
  error: [error: Error];
  /** `close()` finished. */
  closed: [];
}

/**
 * `idle` never connected · `connecting` first connect · `ready` · `reconnecting` after a loss ·
 * `disconnected` lost and not reconnecting (disabled or gave up) · `closed`.
 */
export type IggyClientState = 'idle' | 'connecting' | 'ready' | 'reconnecting' | 'disconnected' | 'closed';

/** Per-call options of `request`. */
export interface RequestOptions {
  /** Overrides the client's `requestTimeoutMs`. */
  timeoutMs?: number;
}

/**
 * The connection machinery of `IggyClient`: address failover, pipelining with a bounded in-flight window,
 * per-request timeouts, reconnection with backoff and re-login, events. Command methods live in
 * `IggyClient`; `request(codec, req)` is the one door every command goes through.
 *
 * Timeouts: a written request that times out rejects with 'Timeout' but **keeps its FIFO slot**, so its
 * late response is read and dropped and the next request still gets its own. We chose this over treating
 * a timeout as fatal because one slow command (a big poll, a purge) should not fail every healthy request
 * pipelined behind it nor force a re-login and consumer-group rejoin. The cost, a server that never answers
 * holding the slot, is bounded: if the slot is still unanswered one more timeout later the connection is
 * declared dead and reconnected (the requests behind it fail with 'Disconnected').
 */
export abstract class IggyClientCore extends EventEmitter<IggyClientEvents> {
  protected readonly options: ResolvedClientOptions;
  protected credentials: IggyCredentials | undefined;
  private stateValue: IggyClientState = 'idle';
  /** Connections that reached `ready`. */
  private established = 0;
  private connection: Connection | undefined;
  private readonly queue: RequestQueue;
  private pumpScheduled = false;
  private connecting: Promise<void> | undefined;
  private reconnecting: Promise<boolean> | undefined;
  private closing: Promise<void> | undefined;
  private readonly heartbeat: Heartbeat;
  /** Opened while reconnecting: past `offlineTimeoutMs`, requests fail at once. */
  private readonly offline: OfflineWindow;
  private readonly delay = new WakeableDelay();
  private readonly hooks: ConnectionHooks = {
    onDrain: () => this.pump(),
    onClose: (connection, reason, inFlight) => this.onConnectionClosed(connection, reason, inFlight),
  };

  constructor(options: IggyClientOptions = {}) {
    super();
    this.options = resolveClientOptions(options);
    this.credentials = this.options.credentials;
    this.queue = new RequestQueue(this.options.maxQueued, this.options.maxQueuedBytes);
    this.heartbeat = new Heartbeat(this.options.heartbeatIntervalMs, () => this.sendHeartbeat());
    this.offline = new OfflineWindow(
      this.options.offlineTimeoutMs,
      () => this.stateValue === 'reconnecting',
      (error) => this.queue.failAll(error),
    );
  }

  get state(): IggyClientState {
    return this.stateValue;
  }

  /**
   * How many times the connection was re-established after a loss (0 until the first reconnect). The
   * server sees each new connection as a new session: consumer-group membership does not carry over.
   */
  get epoch(): number {
    return Math.max(0, this.established - 1);
  }

  /**
   * True for a failure this client is recovering from by itself, worth retrying once it is back: a lost
   * connection or a timeout while it reconnects (not once it gave up, or was closed).
   */
  isTransient(err: unknown): boolean {
    if (this.state === 'disconnected' || this.state === 'closed') return false;
    return err instanceof IggyClientError && (err.kind === 'Disconnected' || err.kind === 'Timeout');
  }

  /** True when requests are being written right now. */
  isConnected(): boolean {
    return this.stateValue === 'ready';
  }

  /** Address of the live connection, e.g. `127.0.0.1:8090`. */
  get address(): string | undefined {
    return this.connection?.address;
  }

  /** Requests queued and not yet written (waiting for the window or for a connection). */
  get queued(): number {
    return this.queue.length;
  }

  /** Requests written and not yet answered. */
  get inFlight(): number {
    return this.connection?.inFlight ?? 0;
  }

  /**
   * Opens the connection (addresses in order) and logs in with the configured credentials.
   * Rejects with `IggyClientError('Connection')` when no address answers, or the login's `IggyError`.
   * Idempotent while connected or connecting.
   */
  connect(): Promise<void> {
    switch (this.stateValue) {
      case 'closed':
        return Promise.reject(new IggyClientError('Closed', 'client is closed'));
      case 'ready':
        return Promise.resolve();
      case 'connecting':
        return this.connecting!;
      case 'reconnecting':
        return this.reconnecting!.then((ok) => {
          if (!ok) throw new IggyClientError('Disconnected', 'reconnecting failed');
        });
      default:
        break;
    }
    this.stateValue = 'connecting';
    this.connecting = this.establish().then(
      () => {
        this.connecting = undefined;
      },
      (err: unknown) => {
        this.connecting = undefined;
        if (this.stateValue === 'connecting') {
          this.stateValue = 'idle';
          this.queue.failAll(err instanceof Error ? err : new IggyClientError('Connection', String(err)));
        }
        throw err;
      },
    );
    return this.connecting;
  }

  /**
   * Sends one command and resolves with its decoded response. Pipelined: it does not wait for earlier
   * requests; beyond `maxInFlight` it waits in a queue. Rejects with `IggyError` for a server error status,
   * otherwise with `IggyClientError` ('Timeout', 'Disconnected', 'Closed', 'Protocol').
   */
  request<Req, Res>(codec: CommandCodec<Req, Res>, request: Req, options: RequestOptions = {}): Promise<Res> {
    return this.requestWith(codec, request, {}, options);
  }

  /** `request`, with the codec's request encoder or response decoder replaced. */
  protected requestWith<Req, Res, Out = Res>(
    codec: CommandCodec<Req, Res>,
    request: Req,
    coder: RequestCoder<Req, Out>,
    options: RequestOptions = {},
  ): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      if (this.stateValue === 'closed') {
        return reject(
          new IggyClientError('Closed', `${codec.name}: client is closed`, { command: codec.name }),
        );
      }
      if (this.stateValue === 'idle' || this.stateValue === 'disconnected' || this.offline.expired) {
        const why =
          this.stateValue === 'idle'
            ? 'not connected (call connect() first)'
            : this.offline.expired
              ? `disconnected for more than ${this.options.offlineTimeoutMs} ms (reconnecting)`
              : 'disconnected';
        return reject(new IggyClientError('Disconnected', `${codec.name}: ${why}`, { command: codec.name }));
      }
      const call = createCall(codec, request, coder, resolve, reject);
      if (!call || !this.queue.offer(call as Call<unknown>)) return;
      this.startTimer(call, options.timeoutMs);
      this.schedulePump();
    });
  }

  /** Cuts the wait before the next reconnect attempt short (another connection to the server got through). */
  reconnectNow(): void {
    if (this.stateValue === 'reconnecting') this.delay.wake();
  }

  /**
   * Closes the connection and stops reconnecting. Queued and in-flight requests reject with 'Closed'.
   * Idempotent: every call returns the same promise.
   */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.stateValue = 'closed';
    this.heartbeat.stop();
    this.offline.close();
    this.delay.wake();
    const reason = new IggyClientError('Closed', 'client closed');
    this.queue.failAll(reason);
    const connection = this.connection;
    this.connection = undefined;
    connection?.destroy(reason);
    this.closing = (connection?.closed ?? Promise.resolve()).then(() => {
      this.emit('closed');
    });
    return this.closing;
  }

  /** Logs in on a fresh connection, before any queued request is written. */
  protected abstract authenticate(
    credentials: IggyCredentials,
    send: <Req, Res>(codec: CommandCodec<Req, Res>, request: Req) => Promise<Res>,
  ): Promise<void>;

  /** Runs on a fresh connection once it is logged in, before any queued request is written. */
  protected abstract onLoggedIn(
    send: <Req, Res>(codec: CommandCodec<Req, Res>, request: Req) => Promise<Res>,
  ): Promise<void>;

  /** One heartbeat (a ping). */
  protected abstract sendHeartbeat(): Promise<unknown>;

  private startTimer<Res>(c: Call<Res>, timeoutMs = this.options.requestTimeoutMs): void {
    c.timer = setTimeout(() => {
      if (c.settled) return;
      c.fail(
        new IggyClientError('Timeout', `${c.command}: no response within ${timeoutMs} ms`, {
          command: c.command,
        }),
      );
      if (!c.written) this.queue.remove(c as Call<unknown>);
      else if (this.connection?.isOpen) this.connection.watchTimedOut(c, this.options.requestTimeoutMs);
    }, timeoutMs);
  }

  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    queueMicrotask(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    const connection = this.connection;
    if (this.stateValue !== 'ready' || !connection?.isOpen) return;
    const room = this.options.maxInFlight - connection.inFlight;
    if (room <= 0 || this.queue.length === 0) return;
    const batch = this.queue.take(room);
    if (batch.length > 0) connection.sendAll(batch);
  }

  /** Opens a socket (addresses in order), logs in, and makes it the live connection. */
  private async establish(): Promise<void> {
    const connection = await this.openFirst();
    if (this.stateValue === 'closed') {
      connection.destroy(new IggyClientError('Closed', 'client closed'));
      throw new IggyClientError('Closed', 'client closed while connecting');
    }
    this.connection = connection;
    try {
      if (this.credentials) {
        const send = <Req, Res>(codec: CommandCodec<Req, Res>, request: Req) =>
          this.sendDirect(connection, codec, request);
        await this.authenticate(this.credentials, send);
        await this.onLoggedIn(send);
      }
      if (this.isClosed()) throw new IggyClientError('Closed', 'client closed while logging in');
      if (this.connection !== connection || !connection.isOpen) {
        throw new IggyClientError(
          'Disconnected',
          `connection to ${connection.address} lost while logging in`,
        );
      }
    } catch (err) {
      if (this.connection === connection) this.connection = undefined;
      connection.destroy(
        new IggyClientError('Disconnected', `login on ${connection.address} failed`, { cause: err }),
      );
      throw err;
    }
    this.stateValue = 'ready';
    this.established++;
    this.offline.close();
    this.heartbeat.start();
    this.emit('connected', { address: connection.address });
    this.pump();
  }

  private openFirst(): Promise<Connection> {
    return Connection.openFirst(this.options.addresses, this.options, this.hooks, () => this.isClosed());
  }

  /** Writes one request on a connection that is not `ready` yet (the login), bypassing the queue. */
  private sendDirect<Req, Res>(
    connection: Connection,
    codec: CommandCodec<Req, Res>,
    request: Req,
  ): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      const call = createCall<Req, Res, Res>(codec, request, {}, resolve, reject);
      if (!call) return;
      this.startTimer(call);
      call.written = true;
      connection.sendAll([call]);
    });
  }

  private onConnectionClosed(connection: Connection, reason: IggyClientError, inFlight: WireRequest[]): void {
    for (const request of inFlight) request.onFailure(reason);
    if (connection !== this.connection) return;
    this.connection = undefined;
    const wasReady = this.stateValue === 'ready';
    if (!wasReady) return; // a failed login: establish() reports it
    this.heartbeat.stop();
    this.emit('disconnected', reason);
    if (this.options.reconnect.enabled) {
      this.stateValue = 'reconnecting';
      this.offline.open();
      this.reconnecting = this.reconnectLoop().finally(() => {
        this.reconnecting = undefined;
      });
    } else {
      this.stateValue = 'disconnected';
      this.queue.failAll(
        new IggyClientError('Disconnected', `${reason.message}; reconnect is disabled`, { cause: reason }),
      );
    }
  }

  private async reconnectLoop(): Promise<boolean> {
    const policy = this.options.reconnect;
    for (let attempt = 1; attempt <= policy.maxAttempts; attempt++) {
      const delayMs = backoffDelay(policy, attempt);
      this.emit('reconnecting', { attempt, delayMs });
      await this.delay.sleep(delayMs);
      if (this.stateValue !== 'reconnecting') return false;
      try {
        await this.establish();
        return true;
      } catch (err) {
        if (this.stateValue !== 'reconnecting') return false;
        this.emitError(err);
      }
    }
    this.stateValue = 'disconnected';
    const error = new IggyClientError(
      'Disconnected',
      `gave up reconnecting after ${policy.maxAttempts} attempts`,
    );
    this.queue.failAll(error);
    this.emitError(error);
    return false;
  }

  /** Reads the state afresh (TypeScript keeps a narrowed `stateValue` across `await`). */
  private isClosed(): boolean {
    return this.stateValue === 'closed';
  }

  private emitError(err: unknown): void {
    if (this.listenerCount('error') > 0)
      this.emit('error', err instanceof Error ? err : new Error(String(err)));
  }
}
