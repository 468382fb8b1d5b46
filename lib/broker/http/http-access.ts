import type { IncomingMessage } from 'node:http';
import { networkInterfaces } from 'node:os';
import type { Broker } from '../broker.js';
import { isBrokerError } from '../broker-error.js';
import { isLoopbackHost } from '../network-exposure.js';
import { Transport } from '../state/types.js';
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
 * - off loopback, every route but `/` and `/ping` needs a user: `Authorization: Bearer <personal access
 *   token>`, `Bearer <JWT of the HTTP API>` or `Basic <user:password>` (checked and throttled as a TCP
 *   login is), holding the route's right (read-servers for stats and metrics, read-streams for
 *   streams). 401 / 403 otherwise. On loopback no credentials are needed, but credentials that are given
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
    this.hosts = new Set(['localhost', '127.0.0.1', '::1', ...(options.allowedHosts ?? [])].map(normalize));
    const bound = normalize(options.host);
    if (WILDCARDS.has(bound)) {
      for (const list of Object.values(networkInterfaces())) {
        for (const a of list ?? []) this.hosts.add(normalize(a.address));
      }
    } else {
      this.hosts.add(bound);
    }
  }

  /** null when the request may go on to its route. */
  async check(req: IncomingMessage, right: RouteRight): Promise<Denial | null> {
    const host = hostName(req.headers.host);
    if (host === null) return { status: 400, error: 'the Host header is missing' };
    if (!this.hosts.has(host) && !/^127\./.test(host)) {
      return {
        status: 403,
        error: `Host '${host}' is not this server's (DNS rebinding protection); allow it with allowedHosts`,
      };
    }
    if (right === 'none') return null;
    if (!this.requiresAuth && req.headers.authorization === undefined) return null;
    return this.authorize(req, right);
  }

  private async authorize(req: IncomingMessage, right: RouteRight): Promise<Denial | null> {
    const challenge = { 'WWW-Authenticate': 'Basic realm="iggy", Bearer realm="iggy"' };
    const credentials = parseAuthorization(req.headers.authorization);
    if (!credentials) {
      return {
        status: 401,
        error: 'credentials required (Basic, or Bearer with a personal access token or a JWT)',
        headers: challenge,
      };
    }
    const address = `${req.socket.remoteAddress ?? 'unknown'}:${req.socket.remotePort ?? 0}`;
    const clientId = await this.session(credentials, address);
    if (clientId === null) return { status: 401, error: 'invalid credentials', headers: challenge };
    try {
      if (right === 'readServers') this.broker.getStats(clientId);
      else this.broker.getStreams(clientId);
      return null;
    } catch (error) {
      if (!isBrokerError(error, 'Unauthorized')) throw error;
      return {
        status: 403,
        error: `this user may not ${right === 'readServers' ? 'read stats' : 'read streams'}`,
      };
    } finally {
      this.broker.disconnectClient(clientId);
    }
  }

  /** A session of the user the credentials name (logged in as over TCP); null when they are not valid. */
  private async session(credentials: HttpCredentials, address: string): Promise<number | null> {
    if (credentials.kind === 'jwt') {
      const claims = await this.jwt.verify(credentials.token);
      if (!claims) return null;
      try {
        return this.broker.connectInternalClient(claims.userId, address, Transport.Http);
      } catch (error) {
        if (isBrokerError(error)) return null; // the user is gone or inactive
        throw error;
      }
    }
    const clientId = this.broker.connectClient(Transport.Http, address);
    try {
      if (credentials.kind === 'accessToken') {
        await this.broker.loginWithAccessToken(clientId, credentials.token);
      } else {
        await this.broker.loginUser(clientId, credentials.username, credentials.password);
      }
      return clientId;
    } catch (error) {
      this.broker.disconnectClient(clientId);
      if (isBrokerError(error)) return null;
      throw error;
    }
  }
}

function normalize(host: string): string {
  return host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
}

/** The host name of a Host header (port and IPv6 brackets removed); null when absent. */
function hostName(header: string | undefined): string | null {
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
