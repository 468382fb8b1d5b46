import { IggyClientError } from './errors.js';

/** A server address: `host:port` (IPv6 as `[::1]:8090`) or an object. */
export type IggyAddress = string | { host: string; port: number };

/** TLS settings (node:tls). `servername` defaults to the host when it is a name, not an IP. */
export interface IggyTlsOptions {
  /** Trusted CA certificate(s), PEM. Defaults to Node's root store. */
  ca?: string | Buffer | (string | Buffer)[];
  /** Server name for SNI and certificate checks (Iggy's `tls_domain`). */
  servername?: string;
  /** Reject a certificate that does not verify (default true). */
  rejectUnauthorized?: boolean;
  /** Client certificate and key, PEM, for servers that ask for one. */
  cert?: string | Buffer;
  key?: string | Buffer;
}

/** How to log in, now and after every reconnect. */
export type IggyCredentials = { username: string; password: string } | { token: string };

/** Reconnection after the connection dies: exponential backoff with jitter. */
export interface IggyReconnectOptions {
  /** Default true. When false a dead connection stays dead and requests fail fast with 'Disconnected'. */
  enabled?: boolean;
  /** First delay (default 200 ms). */
  initialDelayMs?: number;
  /** Delay cap (default 10 s). */
  maxDelayMs?: number;
  /** Growth per attempt (default 2). */
  multiplier?: number;
  /** Fraction of each delay that is random, 0..1 (default 0.5: delay × (0.5 + 0.5 × random)). */
  jitter?: number;
  /** Attempts before giving up (default Infinity). */
  maxAttempts?: number;
}

/** How a client talks to the server: the binary protocol over TCP (default) or the HTTP API. */
export type IggyProtocol = 'tcp' | 'http';

/** Options of `IggyClient`. Every field has a default. */
export interface IggyClientOptions {
  /** `createIggyClient` builds an `IggyHttpClient` for `http` (addresses then default to port 3000). */
  protocol?: IggyProtocol;
  /** Tried in order on every (re)connect; default `['127.0.0.1:8090']`. */
  addresses?: IggyAddress[];
  /** `true` for TLS with defaults, or TLS settings; default plain TCP. */
  tls?: boolean | IggyTlsOptions;
  /** Logged in with by `connect()` and after every reconnect. `login()` replaces them. */
  credentials?: IggyCredentials;
  /** Per address (default 10 s). */
  connectTimeoutMs?: number;
  /** Per request, from the call until its response (default 30 s). */
  requestTimeoutMs?: number;
  /**
   * How long requests wait for a lost connection to come back (default Infinity: up to their
   * `requestTimeoutMs`). Past it, the queued requests fail with 'Disconnected', and so does every new
   * request at once, until the client is connected again. TCP only: over HTTP a request to a server that
   * is down fails with 'Connection' at once.
   */
  offlineTimeoutMs?: number;
  /** Requests written and not yet answered; more wait in a queue (default 64). */
  maxInFlight?: number;
  /**
   * Requests waiting in that queue (not yet written), at most (default 10,000): beyond it, or beyond
   * `maxQueuedBytes`, a request fails at once with 'Backpressure' instead of growing memory without bound.
   */
  maxQueued?: number;
  /**
   * Encoded bytes of the requests waiting in the queue, at most (default 64 MiB; one request always fits).
   * TCP only (over HTTP, `maxQueued` bounds the requests waiting for a socket).
   */
  maxQueuedBytes?: number;
  /** Largest response payload accepted (default 128 MiB; poll responses can be big). */
  maxResponseBytes?: number;
  /** `false` disables reconnection. */
  reconnect?: IggyReconnectOptions | false;
  /** Send a ping this often while connected (0 = never, the default). */
  heartbeatIntervalMs?: number;
  /** TCP_NODELAY (default true). */
  noDelay?: boolean;
  /**
   * After each login, ask the server its version (one GetStats) for `serverVersion` (default true). A
   * user without the read-servers right gets `null` there; nothing else depends on it.
   */
  detectServerVersion?: boolean;
}

export interface ResolvedAddress {
  host: string;
  port: number;
}

/** Options with every default filled in and checked. */
export interface ResolvedClientOptions {
  addresses: ResolvedAddress[];
  tls: IggyTlsOptions | undefined;
  credentials: IggyCredentials | undefined;
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  offlineTimeoutMs: number;
  maxInFlight: number;
  maxQueued: number;
  maxQueuedBytes: number;
  maxResponseBytes: number;
  reconnect: Required<IggyReconnectOptions>;
  heartbeatIntervalMs: number;
  noDelay: boolean;
  detectServerVersion: boolean;
}

export const DEFAULT_PORT = 8090;

export const clientDefaults = {
  address: { host: '127.0.0.1', port: DEFAULT_PORT },
  connectTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  maxInFlight: 64,
  maxQueued: 10_000,
  maxQueuedBytes: 64 * 1024 * 1024,
  maxResponseBytes: 128 * 1024 * 1024,
  reconnect: {
    enabled: true,
    initialDelayMs: 200,
    maxDelayMs: 10_000,
    multiplier: 2,
    jitter: 0.5,
    maxAttempts: Infinity,
  },
} as const;

/** Parses `host:port`, `[v6]:port` or a bare host (port 8090). */
export function parseAddress(address: IggyAddress): ResolvedAddress {
  if (typeof address !== 'string')
    return checkAddress(address.host, address.port, `${address.host}:${address.port}`);
  const text = address.trim();
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (v6) return checkAddress(v6[1]!, v6[2] === undefined ? DEFAULT_PORT : Number(v6[2]), text);
  const colon = text.lastIndexOf(':');
  if (colon === -1) return checkAddress(text, DEFAULT_PORT, text);
  const portText = text.slice(colon + 1);
  if (!/^\d+$/.test(portText))
    throw new IggyClientError('Config', `address "${text}": port "${portText}" is not a number`);
  return checkAddress(text.slice(0, colon), Number(portText), text);
}

function checkAddress(host: string, port: number, text: string): ResolvedAddress {
  if (host.length === 0) throw new IggyClientError('Config', `address "${text}" has no host`);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new IggyClientError('Config', `address "${text}": port must be 1..65535`);
  }
  return { host, port };
}

function positive(name: string, value: number | undefined, fallback: number, allowZero = false): number {
  if (value === undefined) return fallback;
  const ok = Number.isFinite(value) || value === Infinity;
  if (!ok || value < 0 || (!allowZero && value === 0)) {
    throw new IggyClientError(
      'Config',
      `${name} must be a ${allowZero ? 'non-negative' : 'positive'} number, got ${value}`,
    );
  }
  return value;
}

/** Fills in defaults; throws `IggyClientError('Config')` on a bad value. */
export function resolveClientOptions(options: IggyClientOptions = {}): ResolvedClientOptions {
  const addresses = (options.addresses ?? [clientDefaults.address]).map(parseAddress);
  if (addresses.length === 0) throw new IggyClientError('Config', 'addresses must not be empty');
  const credentials = options.credentials;
  if (credentials && 'token' in credentials && credentials.token.length === 0) {
    throw new IggyClientError('Config', 'credentials.token is empty');
  }
  const r = options.reconnect === false ? { enabled: false } : (options.reconnect ?? {});
  const d = clientDefaults.reconnect;
  const jitter = positive('reconnect.jitter', r.jitter, d.jitter, true);
  if (jitter > 1) throw new IggyClientError('Config', `reconnect.jitter must be within 0..1, got ${jitter}`);
  const maxInFlight = positive('maxInFlight', options.maxInFlight, clientDefaults.maxInFlight);
  if (!Number.isInteger(maxInFlight)) throw new IggyClientError('Config', 'maxInFlight must be an integer');
  return {
    addresses,
    tls: options.tls === true ? {} : options.tls === false ? undefined : options.tls,
    credentials,
    connectTimeoutMs: positive('connectTimeoutMs', options.connectTimeoutMs, clientDefaults.connectTimeoutMs),
    requestTimeoutMs: positive('requestTimeoutMs', options.requestTimeoutMs, clientDefaults.requestTimeoutMs),
    offlineTimeoutMs: positive('offlineTimeoutMs', options.offlineTimeoutMs, Infinity, true),
    maxInFlight,
    maxQueued: positive('maxQueued', options.maxQueued, clientDefaults.maxQueued),
    maxQueuedBytes: positive('maxQueuedBytes', options.maxQueuedBytes, clientDefaults.maxQueuedBytes),
    maxResponseBytes: positive('maxResponseBytes', options.maxResponseBytes, clientDefaults.maxResponseBytes),
    reconnect: {
      enabled: r.enabled ?? d.enabled,
      initialDelayMs: positive('reconnect.initialDelayMs', r.initialDelayMs, d.initialDelayMs, true),
      maxDelayMs: positive('reconnect.maxDelayMs', r.maxDelayMs, d.maxDelayMs, true),
      multiplier: positive('reconnect.multiplier', r.multiplier, d.multiplier),
      jitter,
      maxAttempts: positive('reconnect.maxAttempts', r.maxAttempts, d.maxAttempts),
    },
    heartbeatIntervalMs: positive('heartbeatIntervalMs', options.heartbeatIntervalMs, 0, true),
    noDelay: options.noDelay ?? true,
    detectServerVersion: options.detectServerVersion ?? true,
  };
}

/** The delay before reconnect attempt `attempt` (1-based): exponential, capped, with jitter. */
export function backoffDelay(
  reconnect: Pick<Required<IggyReconnectOptions>, 'initialDelayMs' | 'maxDelayMs' | 'multiplier' | 'jitter'>,
  attempt: number,
  random: () => number = Math.random,
): number {
  const raw = reconnect.initialDelayMs * reconnect.multiplier ** Math.max(0, attempt - 1);
  const capped = Math.min(reconnect.maxDelayMs, raw);
  return Math.round(capped * (1 - reconnect.jitter * random()));
}
