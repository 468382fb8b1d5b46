import http from 'node:http';
import https from 'node:https';
import { IggyErrorCode } from '../../protocol/codes/error-codes.js';
import { ProtocolError } from '../../protocol/protocol-error.js';
import { IggyClientError, IggyError } from '../errors.js';
import type { IggyCredentials, IggyTlsOptions, ResolvedAddress } from '../options.js';
import { JsonFields, parseJson, toJson } from '../../protocol/http/json-fields.js';
import type { HttpCall } from './http-routes.js';

/** How the HTTP transport reaches the server. */
export interface HttpTransportOptions {
  addresses: readonly ResolvedAddress[];
  /** https with these settings; undefined = plain http. */
  tls: IggyTlsOptions | undefined;
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  maxResponseBytes: number;
  /** Requests on the wire at once (sockets kept alive per address). */
  maxInFlight: number;
}

/** A JWT and when it expires (seconds since the epoch, as the server gives it). */
interface AccessToken {
  token: string;
  expiry: number;
}

/** Refresh a token this long before it expires. */
const REFRESH_MARGIN_S = 60;
const PUBLIC_PATHS = new Set([
  '/ping',
  '/users/login',
  '/users/refresh-token',
  '/personal-access-tokens/login',
]);

/**
 * Iggy's HTTP API as a request/response transport: logs in (`POST /users/login` or
 * `/personal-access-tokens/login`) for a JWT, sends it as a bearer token, refreshes it before it
 * expires (`POST /users/refresh-token`; a new login when refreshing fails), and logs in again once
 * when the server answers 401. Error bodies (`{ id, code, reason }`) become `IggyError`s with the
 * server's code, network failures and timeouts `IggyClientError`s: the same errors as over TCP.
 *
 * Built on `node:http`/`node:https` rather than the global `fetch`: `fetch` takes no CA, client
 * certificate or `rejectUnauthorized` without the separate `undici` package's dispatcher, and TLS
 * settings are what `IggyTlsOptions` carries.
 */
export class HttpTransport {
  private readonly agent: http.Agent;
  private current = 0;
  private access: AccessToken | undefined;
  private credentials: IggyCredentials | undefined;
  private renewing: Promise<void> | undefined;

  constructor(private readonly options: HttpTransportOptions) {
    const agentOptions = { keepAlive: true, maxSockets: options.maxInFlight };
    this.agent = options.tls
      ? new https.Agent({
          ...agentOptions,
          ca: options.tls.ca,
          cert: options.tls.cert,
          key: options.tls.key,
          rejectUnauthorized: options.tls.rejectUnauthorized ?? true,
          servername: options.tls.servername,
        })
      : new http.Agent(agentOptions);
  }

  /** `host:port` of the address in use. */
  get address(): string {
    const a = this.options.addresses[this.current]!;
    return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
  }

  /** Finds the first address that answers `GET /ping`, then logs in when there are credentials. */
  async open(credentials: IggyCredentials | undefined): Promise<void> {
    const failures: string[] = [];
    for (let i = 0; i < this.options.addresses.length; i++) {
      this.current = i;
      try {
        await this.send('Ping', { method: 'GET', path: '/ping' }, this.options.connectTimeoutMs);
        if (credentials) await this.login(credentials);
        return;
      } catch (err) {
        if (!(err instanceof IggyClientError) || err.kind !== 'Connection') throw err;
        failures.push(err.message);
      }
    }
    throw new IggyClientError('Connection', `no address answered (${failures.join('; ')})`);
  }

  /** Logs in and keeps the credentials for refreshing. Returns the user id. */
  async login(credentials: IggyCredentials): Promise<number> {
    const command = 'token' in credentials ? 'LoginWithAccessToken' : 'LoginUser';
    const call: HttpCall =
      'token' in credentials
        ? { method: 'POST', path: '/personal-access-tokens/login', body: { token: credentials.token } }
        : {
            method: 'POST',
            path: '/users/login',
            body: { username: credentials.username, password: credentials.password },
          };
    const identity = JsonFields.of(await this.send(command, call), `${command} response`);
    this.access = readToken(identity, command);
    this.credentials = credentials;
    return identity.u32('user_id');
  }

  /** Forgets the token (after `DELETE /users/logout`, or when closing). */
  forget(): void {
    this.access = undefined;
    this.credentials = undefined;
  }

  /** One authenticated request: renews the token first when it is about to expire, logs in again on a 401. */
  async request(
    command: string,
    call: HttpCall,
    timeoutMs = this.options.requestTimeoutMs,
  ): Promise<unknown> {
    if (!PUBLIC_PATHS.has(call.path)) await this.renewIfExpiring();
    try {
      return await this.send(command, call, timeoutMs);
    } catch (err) {
      if (!(err instanceof IggyError) || err.code !== IggyErrorCode.Unauthenticated || !this.credentials) {
        throw err;
      }
      await this.renew(true);
      return this.send(command, call, timeoutMs);
    }
  }

  close(): void {
    this.forget();
    this.agent.destroy();
  }

  private async renewIfExpiring(): Promise<void> {
    if (this.access && this.access.expiry - Date.now() / 1000 < REFRESH_MARGIN_S) await this.renew(false);
  }

  /** One renewal at a time: refresh the token, or log in again when that fails (or `relogin`). */
  private renew(relogin: boolean): Promise<void> {
    this.renewing ??= (async () => {
      const credentials = this.credentials;
      if (!relogin && this.access) {
        try {
          const call: HttpCall = {
            method: 'POST',
            path: '/users/refresh-token',
            body: { token: this.access.token },
          };
          this.access = readToken(
            JsonFields.of(await this.send('RefreshToken', call), 'refresh'),
            'RefreshToken',
          );
          return;
        } catch {
          // expired or revoked: log in again below
        }
      }
      if (credentials) await this.login(credentials);
    })().finally(() => {
      this.renewing = undefined;
    });
    return this.renewing;
  }

  /** Sends one request and reads the answer: parsed JSON, null for a 404 the call expects, or an error. */
  private send(command: string, call: HttpCall, timeoutMs = this.options.requestTimeoutMs): Promise<unknown> {
    const address = this.options.addresses[this.current]!;
    const body = call.body === undefined ? undefined : Buffer.from(toJson(call.body), 'utf8');
    const headers: http.OutgoingHttpHeaders = { accept: 'application/json' };
    if (body) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = body.length;
    }
    if (this.access) headers.authorization = `Bearer ${this.access.token}`;
    const label = this.address;
    return new Promise((resolve, reject) => {
      const request = (this.options.tls ? https : http).request(
        {
          agent: this.agent,
          host: address.host,
          port: address.port,
          method: call.method,
          path: call.path + queryString(call.query),
          headers,
        },
        (response) => {
          const chunks: Buffer[] = [];
          let size = 0;
          response.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > this.options.maxResponseBytes) {
              request.destroy(
                new IggyClientError(
                  'Protocol',
                  `${command}: response larger than ${this.options.maxResponseBytes} bytes`,
                ),
              );
              return;
            }
            chunks.push(chunk);
          });
          response.on('end', () => {
            clearTimeout(timer);
            try {
              resolve(answer(command, call, response.statusCode ?? 0, Buffer.concat(chunks)));
            } catch (err) {
              reject(err);
            }
          });
          response.on('error', (err) => fail(err));
        },
      );
      const fail = (err: Error) => {
        clearTimeout(timer);
        if (err instanceof IggyClientError || err instanceof IggyError) return reject(err);
        const refused = ['ECONNREFUSED', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN'].includes(
          (err as NodeJS.ErrnoException).code ?? '',
        );
        reject(
          new IggyClientError(
            refused ? 'Connection' : 'Disconnected',
            `${command}: ${label}: ${err.message}`,
            {
              cause: err,
              command,
            },
          ),
        );
      };
      const timer = setTimeout(() => {
        request.destroy(
          new IggyClientError('Timeout', `${command}: no response within ${timeoutMs} ms`, { command }),
        );
      }, timeoutMs);
      request.on('error', fail);
      request.end(body);
    });
  }
}

function queryString(query: HttpCall['query']): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null) params.append(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** The answer of one request, or the error it carries. */
function answer(command: string, call: HttpCall, status: number, body: Buffer): unknown {
  const text = body.toString('utf8');
  if (status >= 200 && status < 300) {
    const type = text.trimStart()[0];
    return type === '{' || type === '[' ? parseJson(text, `${command} response`) : undefined;
  }
  if (status === 404 && call.nullWhenNotFound) return null;
  throw serverError(command, status, text);
}

/** `{ id, code, reason }` → `IggyError` with the server's code; a bare status → the matching code. */
function serverError(command: string, status: number, text: string): IggyError {
  let code: number | undefined;
  let reason = text.trim();
  try {
    const body = JsonFields.of(parseJson(text, command), command);
    code = body.u32('id');
    reason = body.has('reason') ? body.string('reason') : reason;
  } catch {
    // not an error body: the status says it
  }
  if (code === undefined || code === 404) {
    code =
      status === 401
        ? IggyErrorCode.Unauthenticated
        : status === 403
          ? IggyErrorCode.Unauthorized
          : status === 404
            ? IggyErrorCode.ResourceNotFound
            : IggyErrorCode.Error;
  }
  const error = new IggyError(code, command);
  if (reason) error.message = `${error.message}: ${reason} (HTTP ${status})`;
  return error;
}

function readToken(identity: JsonFields, command: string): AccessToken {
  if (!identity.has('access_token')) {
    throw new IggyClientError('Protocol', `${command}: the server sent no access token`, {
      cause: new ProtocolError('InvalidValue', 'access_token missing'),
      command,
    });
  }
  const token = identity.object('access_token');
  return { token: token.string('token'), expiry: token.number('expiry') };
}
