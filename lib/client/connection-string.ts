import { readFileSync } from 'node:fs';
import { IggyClientError } from './errors.js';
import {
  parseAddress,
  type IggyClientOptions,
  type IggyReconnectOptions,
  type IggyTlsOptions,
} from './options.js';

const SCHEMES = ['iggy://', 'iggy+tcp://'];

/**
 * Parses an Iggy connection string into client options.
 *
 * ```text
 * iggy://<user>:<password>@<host>:<port>[,<host2>:<port2>...][?<option>=<value>&...]
 * iggy://<personal-access-token>@<host>:<port>[...]
 * ```
 * - The scheme is `iggy://` (or `iggy+tcp://`); TLS is the `tls=true` option.
 * - User and password are URL-decoded (write `@` as `%40`, `:` as `%3A`). Userinfo **without a colon is a
 *   personal access token** (the Rust SDK's form), logged in with `LoginWithAccessToken`.
 * - Several comma-separated addresses are tried in order on every connect.
 * - Options: `tls` (true/false), `tls_domain` (SNI / certificate name), `tls_ca_file` (PEM path, read now),
 *   `tls_reject_unauthorized` (true/false), `reconnection_retries` (a number, `unlimited`, or 0 to disable),
 *   `reconnection_interval` (first delay), `reconnection_max_interval`, `heartbeat_interval`,
 *   `request_timeout`, `connect_timeout` (durations: `500ms`, `5s`, `1m`, or a number of ms),
 *   `max_in_flight`. Any other option is a `Config` error.
 */
export function parseConnectionString(connectionString: string): IggyClientOptions {
  const scheme = SCHEMES.find((s) => connectionString.startsWith(s));
  if (!scheme) {
    throw new IggyClientError('Config', `connection string must start with ${SCHEMES.join(' or ')}`);
  }
  const rest = connectionString.slice(scheme.length);
  const question = rest.indexOf('?');
  const authority = question === -1 ? rest : rest.slice(0, question);
  const query = question === -1 ? '' : rest.slice(question + 1);
  const at = authority.lastIndexOf('@');
  if (at === -1)
    throw new IggyClientError('Config', 'connection string has no credentials (user:password@ or token@)');
  const userinfo = authority.slice(0, at);
  const hosts = authority.slice(at + 1);

  const options: IggyClientOptions = {
    credentials: parseCredentials(userinfo),
    addresses: hosts.split(',').map((h) => {
      if (h.trim().length === 0)
        throw new IggyClientError('Config', 'connection string has an empty address');
      return parseAddress(h);
    }),
  };
  if (query.length > 0) applyQuery(options, query);
  return options;
}

function decode(part: string, what: string): string {
  try {
    return decodeURIComponent(part);
  } catch (err) {
    throw new IggyClientError('Config', `connection string ${what} is not valid URL encoding`, {
      cause: err,
    });
  }
}

function parseCredentials(userinfo: string): IggyClientOptions['credentials'] {
  const colon = userinfo.indexOf(':');
  if (colon === -1) {
    const token = decode(userinfo, 'token');
    if (token.length === 0) throw new IggyClientError('Config', 'connection string has an empty token');
    return { token };
  }
  const username = decode(userinfo.slice(0, colon), 'username');
  const password = decode(userinfo.slice(colon + 1), 'password');
  if (username.length === 0 || password.length === 0) {
    throw new IggyClientError('Config', 'connection string has an empty username or password');
  }
  return { username, password };
}

/** `500ms`, `5s`, `2m`, `1h` or a bare number of milliseconds. */
export function parseDuration(text: string, what: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new IggyClientError('Config', `${what}: "${text}" is not a duration (e.g. 500ms, 5s, 1m)`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? 'ms']!;
  return Math.round(Number(m[1]) * unit);
}

function parseBool(text: string, what: string): boolean {
  if (text === 'true') return true;
  if (text === 'false') return false;
  throw new IggyClientError('Config', `${what}: "${text}" is neither true nor false`);
}

function parseCount(text: string, what: string): number {
  if (!/^\d+$/.test(text)) throw new IggyClientError('Config', `${what}: "${text}" is not a whole number`);
  return Number(text);
}

function applyQuery(options: IggyClientOptions, query: string): void {
  const tls: IggyTlsOptions = {};
  let tlsEnabled = false;
  const reconnect: IggyReconnectOptions = {};
  for (const pair of query.split('&')) {
    if (pair.length === 0) continue;
    const eq = pair.indexOf('=');
    const key = decode(eq === -1 ? pair : pair.slice(0, eq), 'option name');
    const value = decode(eq === -1 ? '' : pair.slice(eq + 1), `option ${key}`);
    switch (key) {
      case 'tls':
        tlsEnabled = parseBool(value, key);
        break;
      case 'tls_domain':
        tls.servername = value;
        break;
      case 'tls_ca_file':
        try {
          tls.ca = readFileSync(value);
        } catch (err) {
          throw new IggyClientError('Config', `tls_ca_file: cannot read "${value}"`, { cause: err });
        }
        break;
      case 'tls_reject_unauthorized':
        tls.rejectUnauthorized = parseBool(value, key);
        break;
      case 'reconnection_retries':
        if (value === 'unlimited') reconnect.maxAttempts = Infinity;
        else if (parseCount(value, key) === 0) reconnect.enabled = false;
        else reconnect.maxAttempts = parseCount(value, key);
        break;
      case 'reconnection_interval':
        reconnect.initialDelayMs = parseDuration(value, key);
        break;
      case 'reconnection_max_interval':
        reconnect.maxDelayMs = parseDuration(value, key);
        break;
      case 'heartbeat_interval':
        options.heartbeatIntervalMs = parseDuration(value, key);
        break;
      case 'request_timeout':
        options.requestTimeoutMs = parseDuration(value, key);
        break;
      case 'connect_timeout':
        options.connectTimeoutMs = parseDuration(value, key);
        break;
      case 'max_in_flight':
        options.maxInFlight = parseCount(value, key);
        break;
      default:
        throw new IggyClientError('Config', `unknown connection string option "${key}"`);
    }
  }
  if (tlsEnabled) options.tls = tls;
  else if (Object.keys(tls).length > 0) {
    throw new IggyClientError('Config', 'tls_* options given without tls=true');
  }
  if (Object.keys(reconnect).length > 0) options.reconnect = reconnect;
}
