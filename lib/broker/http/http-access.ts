import type { IncomingMessage } from 'node:http';
import { networkInterfaces } from 'node:os';
import type { Broker } from '../broker.js';
import type { BrokerSession } from '../broker-session.js';
import { isBrokerError } from '../broker-error.js';
import { isLoopbackHost } from '../network-exposure.js';
import { Transport } from '../types.js';
import type { JwtIssuer } from './rest/jwt-issuer.js';

/** What a request must show to reach a route: nothing, or a user with the right the route names. */
export type RouteRight = 'none' | 'readServers' | 'readStreams';

/** A refused request: the status and the error to answer with. */
export interface Denial {
  status: 400 | 401 | 403;
  error: string;
  headers?: Record<string, string>;
}

/** Who may use the HTTP API (see `HttpAccess`). */
export interface HttpAccessOptions {
  /** The address the listener is bound to. */
  host: string;
  /** More names the `Host` header may carry (a DNS name the server is reached by). */
  allowedHosts?: readonly string[];
  /** The HTTP API's token issuer: its JWTs identify a user here too. */
  jwt: JwtIssuer;
}

/** Who a request's `Authorization` header says it is. */
export type HttpCredentials =
  | { kind: 'jwt'; token: string }
  | { kind: 'accessToken'; token: string }
  | { kind: 'password'; username: string; password: string };

const WILDCARDS = new Set(['0.0.0.0', '::', '']);

/**
 * The HTTP API's gate, in front of every route:
 * - the `Host` header must name this server (a loopback name, the bound address, one of this machine's
 *   addresses when bound to all of them, or an `allowedHosts` entry): a web page cannot read the API
 *   through DNS rebinding (its requests carry the attacker's host name). 403 otherwise.
 * - off loopback, every route but `/ping` needs a user: `Authorization: Bearer <personal access
 *   token>`, `Bearer <JWT of the HTTP API>` or `Basic <user:password>` (checked and throttled as a TCP
 *   login is), holding the route's right (read-servers for stats and metrics, read-streams for
 *   streams and the dashboard). 401 / 403 otherwise. On loopback no credentials are needed, but credentials that are given
 *   are checked the same way: a wrong one is never silently ignored.
 */
export class HttpAccess {
  readonly requiresAuth: boolean;
  private readonly hosts: Set<string>;
  private readonly jwt: JwtIssuer;

  constructor(
    private readonly broker: Broker,
    options: HttpAccessOptions,
  ) {
    this.jwt = options.jwt;
    this.requiresAuth = !isLoopbackHost(options.host);
    this.hosts = new Set(
      ['localhost', '127.0.0.1', '::1', ...(options.allowedHosts ?? [])].map(normalizeHost),
    );
    const bound = normalizeHost(options.host);
    if (WILDCARDS.has(bound)) {
      for (const list of Object.values(networkInterfaces())) {
        for (const a of list ?? []) this.hosts.add(normalizeHost(a.address));
      }
    } else {
      this.hosts.add(bound);
    }
  }

  /**
   * null when the request may go on to its route. `urlToken` (a page's `?token=`, where a browser cannot
   * set a header) counts as a bearer token when the request has no `Authorization` header.
   */
  async check(req: IncomingMessage, right: RouteRight, urlToken?: string | null): Promise<Denial | null> {
    const host = hostName(req.headers.host);
    if (host === null) return { status: 400, error: 'the Host header is missing' };
    if (!this.hosts.has(host) && !/^127\./.test(host)) {
      return {
        status: 403,
        error: `Host '${host}' is not this server's (DNS rebinding protection); allow it with allowedHosts`,
      };
    }
    if (right === 'none') return null;
    const authorization = req.headers.authorization ?? (urlToken ? `Bearer ${urlToken}` : undefined);
    if (!this.requiresAuth && authorization === undefined) return null;
    return this.authorize(req, right, authorization);
  }

  private async authorize(
    req: IncomingMessage,
    right: Exclude<RouteRight, 'none'>,
    authorization: string | undefined,
  ): Promise<Denial | null> {
    const challenge = { 'WWW-Authenticate': 'Basic realm="iggy", Bearer realm="iggy"' };
    const credentials = parseAuthorization(authorization);
    if (!credentials) {
      return {
        status: 401,
        error: 'credentials required (Basic, or Bearer with a personal access token or a JWT)',
        headers: challenge,
      };
    }
    const address = `${req.socket.remoteAddress ?? 'unknown'}:${req.socket.remotePort ?? 0}`;
    const verdict = await verifyUser(this.broker, this.jwt, credentials, address, right);
    if (verdict === 'invalid') return { status: 401, error: 'invalid credentials', headers: challenge };
    if (verdict === 'forbidden') {
      return {
        status: 403,
        error: `this user may not ${right === 'readServers' ? 'read stats' : 'read streams'}`,
      };
    }
    return null;
  }
}

/** What a broker user's credentials are worth for a right: `invalid` when they log in nobody. */
export type UserVerdict = 'ok' | 'invalid' | 'forbidden';

/**
 * Checks credentials against the broker's users: a session of its own logs in (a JWT of `jwt`, a personal
 * access token or a password, throttled as a TCP login is), must hold `right`, and is closed again.
 */
export async function verifyUser(
  broker: Broker,
  jwt: JwtIssuer | null,
  credentials: HttpCredentials,
  address: string,
  right: Exclude<RouteRight, 'none'>,
): Promise<UserVerdict> {
  const client = await session(broker, jwt, credentials, address);
  if (client === null) return 'invalid';
  try {
    if (right === 'readServers') await client.getStats();
    else await client.getStreams();
    return 'ok';
  } catch (error) {
    if (!isBrokerError(error, 'Unauthorized')) throw error;
    return 'forbidden';
  } finally {
    await client.close();
  }
}

/** A session of the user the credentials name (logged in as over TCP); null when they are not valid. */
async function session(
  broker: Broker,
  jwt: JwtIssuer | null,
  credentials: HttpCredentials,
  address: string,
): Promise<BrokerSession | null> {
  if (credentials.kind === 'jwt') {
    const claims = jwt ? await jwt.verify(credentials.token) : null;
    if (!claims) return null;
    try {
      return broker.openSession(claims.userId, address, Transport.Http);
    } catch (error) {
      if (isBrokerError(error)) return null; // the user is gone or inactive
      throw error;
    }
  }
  const client = broker.connect(Transport.Http, address);
  try {
    if (credentials.kind === 'accessToken') {
      await client.loginWithToken(credentials.token);
    } else {
      await client.login(credentials.username, credentials.password);
    }
    return client;
  } catch (error) {
    await client.close();
    if (isBrokerError(error)) return null;
    throw error;
  }
}

/** A host name as compared: trimmed, lower case, IPv6 brackets removed. */
export function normalizeHost(host: string): string {
  return host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
}

/** The host name of a Host header (port and IPv6 brackets removed); null when absent. */
export function hostName(header: string | undefined): string | null {
  if (!header) return null;
  const h = header.trim().toLowerCase();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(h);
  if (bracketed) return bracketed[1]!;
  return h.replace(/:\d+$/, '');
}

/**
 * The credentials of an `Authorization` header; null when there are none or they do not parse. A bearer
 * token in a JWT's compact form (three base64url parts joined by dots) is the HTTP API's; any other is a
 * personal access token (plain base64, never with a dot).
 */
export function parseAuthorization(header: string | undefined): HttpCredentials | null {
  const match = /^(Basic|Bearer)\s+(\S+)$/i.exec(header?.trim() ?? '');
  if (!match) return null;
  const value = match[2]!;
  if (match[1]!.toLowerCase() === 'bearer') {
    return /^[\w-]+\.[\w-]+\.[\w-]+$/.test(value)
      ? { kind: 'jwt', token: value }
      : { kind: 'accessToken', token: value };
  }
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  return { kind: 'password', username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
