import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** What a request shows: a bearer token (the dashboard's, or one the server knows), or a user and password. */
export type DashboardCredentials =
  { kind: 'token'; token: string } | { kind: 'user'; username: string; password: string };

/**
 * Checks credentials against the server's users (user/password, or a personal access token):
 * `invalid` when they log in nobody, `forbidden` when the user may not read streams.
 */
export type CredentialCheck = (
  credentials: DashboardCredentials,
  client: string,
) => Promise<'ok' | 'invalid' | 'forbidden'>;

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

/** A refused request. */
export interface DashboardDenial {
  status: 400 | 401 | 403;
  error: string;
  headers?: Record<string, string>;
}

/** How long a user's successful check is remembered (a password check costs an Argon2 hash). */
const VERIFIED_TTL_MS = 30_000;
const MAX_VERIFIED = 256;

/**
 * The dashboard's gate. Bound to a loopback address it is open, but only to requests whose `Host` is a
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
  async check(req: IncomingMessage): Promise<DashboardDenial | null> {
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
    if (credentials.kind === 'token' && this.options.token !== undefined) {
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

  private challenge(error: string): DashboardDenial {
    const schemes = this.options.users ? 'Basic realm="iggy", Bearer realm="iggy"' : 'Bearer realm="iggy"';
    return { status: 401, error, headers: { 'WWW-Authenticate': schemes } };
  }
}

/** Whether `host` only reaches this machine: `localhost`, 127.0.0.0/8, `::1` (bracketed or not). */
export function isLoopbackHost(host: string): boolean {
  const h = normalizeHost(host);
  return h === 'localhost' || h === '::1' || /^127\./.test(h) || /^::ffff:127\./.test(h);
}

/** The credentials of a request: its Authorization header (Basic or Bearer), else its `token` query parameter. */
export function credentialsOf(req: IncomingMessage): DashboardCredentials | null {
  const match = /^(Basic|Bearer)\s+(\S+)$/i.exec(req.headers.authorization?.trim() ?? '');
  if (match) {
    if (match[1]!.toLowerCase() === 'bearer') return { kind: 'token', token: match[2]! };
    const decoded = Buffer.from(match[2]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return null;
    return { kind: 'user', username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  const token = new URL(req.url ?? '/', 'http://x').searchParams.get('token');
  return token ? { kind: 'token', token } : null;
}

function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(Buffer.from(digest(given), 'hex'), Buffer.from(digest(expected), 'hex'));
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function normalizeHost(host: string): string {
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
