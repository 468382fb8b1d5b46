import type { CommandCodec } from '../../protocol/command-codec.js';
import type { PolledRun } from '../../protocol/commands/messages/index.js';
import type { IdentityInfo } from '../../protocol/commands/session/index.js';
import { encodePolledMessages, type PolledMessage } from '../../protocol/messages/message-batch.js';
import { MessageRun } from '../../protocol/messages/message-run.js';
import type { IggyClientState, RequestCoder, RequestOptions } from '../client-core.js';
import { IggyClientError } from '../errors.js';
import { IggyClient, type PollInput } from '../iggy-client.js';
import type { IggyAddress, IggyClientOptions } from '../options.js';
import { httpRoutes, unsupportedOverHttp } from './http-routes.js';
import { HttpTransport } from './http-transport.js';

/** The HTTP API's port when an address names none. */
export const DEFAULT_HTTP_PORT = 3000;

/** `http://host:port`, `https://host`, `host:port` or `host` → `host:port` (the port defaulting to 3000). */
export function httpAddress(address: IggyAddress): IggyAddress {
  if (typeof address !== 'string') return address;
  const bare = address
    .trim()
    .replace(/^https?:\/\//, '')
    .replace(/\/+$/, '');
  const hasPort = bare.startsWith('[') ? bare.includes(']:') : bare.includes(':');
  return hasPort ? bare : `${bare}:${DEFAULT_HTTP_PORT}`;
}

/**
 * `IggyClient` over Iggy's HTTP API (`protocol: 'http'`): the same methods, results and errors as over
 * TCP. A command the HTTP API has no route for (GetMe, GetSnapshot, JoinConsumerGroup and
 * LeaveConsumerGroup, group polls and group offsets: the API keeps no session, so no membership) fails
 * with `IggyError` FeatureUnavailable, naming the reason. Requests run concurrently up to `maxInFlight`,
 * at most `maxQueued` more wait for a socket (beyond that: 'Backpressure'); with `tls`, https. Each
 * request is its own exchange: a server that is down fails it with 'Connection' at once, so
 * `offlineTimeoutMs` and `maxQueuedBytes` (TCP's reconnect wait and write queue) do not apply.
 */
export class IggyHttpClient extends IggyClient {
  private readonly http: HttpTransport;
  private httpState: IggyClientState = 'idle';
  private pending = 0;
  private opening: Promise<void> | undefined;

  constructor(options: IggyClientOptions = {}) {
    super({
      ...options,
      addresses: (options.addresses ?? [`127.0.0.1:${DEFAULT_HTTP_PORT}`]).map(httpAddress),
    });
    this.http = new HttpTransport({
      addresses: this.options.addresses,
      tls: this.options.tls,
      connectTimeoutMs: this.options.connectTimeoutMs,
      requestTimeoutMs: this.options.requestTimeoutMs,
      maxResponseBytes: this.options.maxResponseBytes,
      maxInFlight: this.options.maxInFlight,
    });
  }

  override get state(): IggyClientState {
    return this.httpState;
  }

  override isConnected(): boolean {
    return this.httpState === 'ready';
  }

  override get address(): string | undefined {
    return this.httpState === 'ready' ? this.http.address : undefined;
  }

  override get inFlight(): number {
    return this.pending;
  }

  override get queued(): number {
    return 0;
  }

  /** Finds an address that answers and logs in (a JWT) with the configured credentials. */
  override connect(): Promise<void> {
    if (this.httpState === 'closed') return Promise.reject(new IggyClientError('Closed', 'client is closed'));
    if (this.httpState === 'ready') return Promise.resolve();
    this.opening ??= (async () => {
      this.httpState = 'connecting';
      try {
        await this.http.open(this.credentials);
        if (this.credentials) await this.onLoggedIn((codec, request) => this.requestWith(codec, request, {}));
      } catch (err) {
        if (this.httpState === 'connecting') this.httpState = 'idle';
        throw err;
      }
      if (this.httpState !== 'connecting')
        throw new IggyClientError('Closed', 'client closed while connecting');
      this.httpState = 'ready';
      this.emit('connected', { address: this.http.address });
    })().finally(() => {
      this.opening = undefined;
    });
    return this.opening;
  }

  override async close(): Promise<void> {
    if (this.httpState === 'closed') return;
    this.httpState = 'closed';
    this.http.close();
    this.emit('closed');
  }

  override async login(username: string, password: string): Promise<IdentityInfo> {
    const userId = await this.http.login({ username, password });
    this.credentials = { username, password };
    await this.onLoggedIn((codec, request) => this.requestWith(codec, request, {}));
    return { userId };
  }

  override async loginWithToken(token: string): Promise<IdentityInfo> {
    const userId = await this.http.login({ token });
    this.credentials = { token };
    await this.onLoggedIn((codec, request) => this.requestWith(codec, request, {}));
    return { userId };
  }

  override async logout(): Promise<void> {
    await super.logout();
    this.http.forget();
  }

  /** The messages come as JSON: they are encoded into a run here, for callers that want one. */
  override async pollMessagesRun(request: PollInput): Promise<PolledRun> {
    const polled = await this.pollMessages(request);
    const messages = polled.messages as PolledMessage[];
    return { ...polled, messages: new MessageRun(encodePolledMessages(messages), messages.length) };
  }

  /** Every command goes through its HTTP route; the binary `coder` has no say here. */
  protected override async requestWith<Req, Res, Out = Res>(
    codec: CommandCodec<Req, Res>,
    request: Req,
    _coder: RequestCoder<Req, Out>,
    options: RequestOptions = {},
  ): Promise<Out> {
    if (this.httpState === 'closed') {
      throw new IggyClientError('Closed', `${codec.name}: client is closed`, { command: codec.name });
    }
    if (this.httpState === 'idle') {
      throw new IggyClientError('Disconnected', `${codec.name}: not connected (call connect() first)`, {
        command: codec.name,
      });
    }
    const route = httpRoutes[codec.name];
    if (!route) throw unsupportedOverHttp(codec.name, 'the HTTP API has no route for it');
    const { maxInFlight, maxQueued } = this.options;
    if (this.pending >= maxInFlight + maxQueued) {
      throw new IggyClientError(
        'Backpressure',
        `${codec.name}: ${this.pending - maxInFlight} requests already wait for a socket ` +
          `(maxInFlight ${maxInFlight}, maxQueued ${maxQueued}); not sent`,
        { command: codec.name },
      );
    }
    const call = route.call(request);
    this.pending++;
    try {
      const json = await this.http.request(codec.name, call, options.timeoutMs);
      if (json === null) return null as Out;
      return route.read(json) as Out;
    } catch (err) {
      if (err instanceof Error && err.name === 'ProtocolError') {
        throw new IggyClientError('Protocol', `${codec.name}: cannot decode response: ${err.message}`, {
          cause: err,
          command: codec.name,
        });
      }
      throw err;
    } finally {
      this.pending--;
    }
  }
}
