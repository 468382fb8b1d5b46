import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import {
  hostName,
  normalizeHost,
  parseAuthorization,
  type Denial,
  type HttpCredentials,
  type UserVerdict,
} from '../../broker/http/http-access.js';
import { isLoopbackHost } from '../../broker/network-exposure.js';

/**
 * Checks credentials against the server's users (user/password, or a personal access token):
 * `invalid` when they log in nobody, `forbidden` when the user may not read streams.
 */
export type CredentialCheck = (credentials: HttpCredentials, client: string) => Promise<UserVerdict>;

/** Who may open the dashboard. */
export interface DashboardAccessOptions {
  /** The address the serving listener is bound to (read per request); unknown counts as exposed. */
  boundHost: () => string | undefined;
  /** A token of the dashboard's own: `Authorization: Bearer <token>`, or `?token=<token>` in the URL. */
  token?: string;
  /** The server's users (the embedded broker's). */
  users?: CredentialCheck;
  /** Host names besides loopback ones an open (loopback) dashboard answers to, e.g. behind a proxy. */
  allowedHosts?: readonly string[];
  /** Ask for credentials on loopback too (a reverse proxy in front makes loopback reachable). */
  alwaysRequireCredentials?: boolean;
}

/** How long a user's successful check is remembered (a password check costs an Argon2 hash). */
const VERIFIED_TTL_MS = 30_000;
const MAX_VERIFIED = 256;

/**
 * The gate of the dashboard an application mounts on its own listener (the broker's listener has
 * `HttpAccess`, whose Host rules and credentials it shares). Bound to a loopback address it is open, but only to requests whose `Host` is a
 * loopback name (or an allowed one), so a web page cannot read it through DNS rebinding. Bound to any
 * other address (or with `alwaysRequireCredentials`) every request needs credentials: the dashboard's
 * token, or a user of the server (Basic user:password or a Bearer personal access token). With neither
 * a token nor users to check against, it refuses everything rather than stand open.
 */
export class DashboardAccess {
  private readonly hosts: Set<string>;
  private readonly verified = new Map<string, number>();

  constructor(private readonly options: DashboardAccessOptions) {
    this.hosts = new Set(['localhost', ...(options.allowedHosts ?? [])].map(normalizeHost));
  }

  /** null when the request may go on. */
  async check(req: IncomingMessage): Promise<Denial | null> {
    const bound = this.options.boundHost();
    const open = !this.options.alwaysRequireCredentials && bound !== undefined && isLoopbackHost(bound);
    if (open) {
      const host = hostName(req.headers.host);
      if (host === null) return { status: 400, error: 'the Host header is missing' };
      if (!isLoopbackHost(host) && !this.hosts.has(host)) {
        return {
          status: 403,
          error: `Host '${host}' is not a loopback name: the dashboard is open on loopback only (allowedHosts adds names)`,
        };
      }
      return null;
    }
    if (this.options.token === undefined && !this.options.users) {
      return {
        status: 403,
        error:
          'the dashboard is reachable from other machines and has no credentials to check: give it a token',
      };
    }
    const credentials = credentialsOf(req);
    if (!credentials) return this.challenge('credentials required');
    if (credentials.kind !== 'password' && this.options.token !== undefined) {
      if (sameSecret(credentials.token, this.options.token)) return null;
    }
    if (!this.options.users) return this.challenge('invalid credentials');
    const key = digest(JSON.stringify(credentials));
    if ((this.verified.get(key) ?? 0) > Date.now()) return null;
    const client = `${req.socket.remoteAddress ?? 'unknown'}:${req.socket.remotePort ?? 0}`;
    const verdict = await this.options.users(credentials, client);
    if (verdict === 'forbidden') return { status: 403, error: 'this user may not read streams' };
    if (verdict === 'invalid') return this.challenge('invalid credentials');
    if (this.verified.size >= MAX_VERIFIED) this.verified.clear();
    this.verified.set(key, Date.now() + VERIFIED_TTL_MS);
    return null;
  }

  private challenge(error: string): Denial {
    const schemes = this.options.users ? 'Basic realm="iggy", Bearer realm="iggy"' : 'Bearer realm="iggy"';
    return { status: 401, error, headers: { 'WWW-Authenticate': schemes } };
  }
}

/** The credentials of a request: its Authorization header (Basic or Bearer), else its `token` query parameter. */
export function credentialsOf(req: IncomingMessage): HttpCredentials | null {
  if (req.headers.authorization !== undefined) return parseAuthorization(req.headers.authorization);
  const token = new URL(req.url ?? '/', 'http://x').searchParams.get('token');
  return token ? parseAuthorization(`Bearer ${token}`) : null;
}

function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(Buffer.from(digest(given), 'hex'), Buffer.from(digest(expected), 'hex'));
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
