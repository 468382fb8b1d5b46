import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseJson } from '../../../protocol/http/json-fields.js';
import * as users from '../../../protocol/http/users-json.js';
import { BrokerError } from '../../broker-error.js';
import type { Broker } from '../../broker.js';
import type { BrokerSession } from '../../broker-session.js';
import { Transport } from '../../types.js';
import { CONSUMER_ROUTES } from './consumer-routes.js';
import type { JwtIssuer, TokenClaims } from './jwt-issuer.js';
import { MESSAGE_ROUTES } from './message-routes.js';
import { sendError, sendStatus } from './rest-errors.js';
import { json, noContent, type Handler, type Route } from './rest-route.js';
import { STREAM_ROUTES } from './stream-routes.js';
import { SYSTEM_ROUTES } from './system-routes.js';
import { USER_ROUTES } from './user-routes.js';

/** The real server's default request body limit (`http.max_request_size`). */
const MAX_BODY_BYTES = 2 * 1024 * 1024;
const PUBLIC_PATHS = new Set(['/users/login', '/users/refresh-token', '/personal-access-tokens/login']);

/** Route table, in the real server's terms (`core/server/src/http`): same paths, methods and answers. */
const ROUTES: Route[] = [
  ...SYSTEM_ROUTES,
  ...STREAM_ROUTES,
  ...CONSUMER_ROUTES,
  ...MESSAGE_ROUTES,
  ...USER_ROUTES,
];

/**
 * Iggy's HTTP API on the embedded broker: the real server's routes, bodies, status codes and error
 * bodies (`{ id, code, reason, field }`), behind HS256 JWTs from `POST /users/login` or
 * `/personal-access-tokens/login` (refresh: `/users/refresh-token`, logout: `DELETE /users/logout`).
 * Each request runs in a session of the token's user that lives for that request only (the API keeps
 * none), so there is no consumer-group membership here, as on the real server.
 */
export class IggyRestApi {
  constructor(
    private readonly broker: Broker,
    private readonly jwt: JwtIssuer,
  ) {}

  async handle(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    query: URLSearchParams,
  ): Promise<void> {
    const address = `${req.socket.remoteAddress ?? 'unknown'}:${req.socket.remotePort ?? 0}`;
    let body: unknown;
    try {
      body = await readBody(req);
    } catch (err) {
      if (err instanceof BodyTooLarge) return sendStatus(res, 413);
      if (sendError(res, err)) return;
      throw err;
    }
    // As the real server's JSON extractor (after its token check): a body must say it is JSON.
    const untyped =
      body !== undefined && !/^application\/(?:[\w.+-]*\+)?json\b/i.test(req.headers['content-type'] ?? '');
    try {
      if (PUBLIC_PATHS.has(path)) {
        if (req.method !== 'POST') return sendStatus(res, 405);
        return untyped ? sendStatus(res, 415) : await this.login(path, body, address, res);
      }
      const claims = await this.authenticate(req);
      if (!claims) return sendStatus(res, 401);
      if (untyped) return sendStatus(res, 415);
      if (path === '/users/logout' && req.method === 'DELETE') {
        this.jwt.revoke(claims);
        return noContent(res);
      }
      const match = this.match(req.method ?? 'GET', path);
      if (!match) return sendStatus(res, match === null ? 404 : 405);
      const session = this.session(claims.userId, address);
      if (session === null) return sendStatus(res, 401);
      try {
        await match.handler(session, { claims, params: match.params, query, body, address }, res);
      } finally {
        await session.close();
      }
    } catch (err) {
      if (!sendError(res, err)) throw err;
    }
  }

  private match(method: string, path: string): { handler: Handler; params: string[] } | null | undefined {
    let pathMatched = false;
    for (const r of ROUTES) {
      const m = r.pattern.exec(path);
      if (!m) continue;
      pathMatched = true;
      if (r.method === method) return { handler: r.handler, params: m.slice(1) };
    }
    return pathMatched ? undefined : null;
  }

  private async authenticate(req: IncomingMessage): Promise<TokenClaims | null> {
    const header = req.headers.authorization;
    if (!header?.startsWith('Bearer ')) return null;
    return this.jwt.verify(header.slice('Bearer '.length));
  }

  /** A session of the user for one request; null when the user is gone or inactive. */
  private session(userId: number, address: string): BrokerSession | null {
    try {
      return this.broker.openSession(userId, address, Transport.Http);
    } catch (err) {
      if (err instanceof BrokerError) return null;
      throw err;
    }
  }

  private async login(path: string, body: unknown, address: string, res: ServerResponse): Promise<void> {
    let userId: number;
    if (path === '/users/refresh-token') {
      const claims = await this.jwt.verify(users.readTokenBody(body));
      if (!claims) throw BrokerError.of('InvalidAccessToken', 'the token is expired, revoked or not ours');
      this.jwt.revoke(claims);
      userId = claims.userId;
    } else {
      const session = this.broker.connect(Transport.Http, address);
      try {
        if (path === '/users/login') {
          const { username, password } = users.readLoginBody(body);
          ({ userId } = await session.login(username, password));
        } else {
          ({ userId } = await session.loginWithToken(users.readTokenBody(body)));
        }
      } finally {
        await session.close();
      }
    }
    const { token, expiry } = await this.jwt.issue(userId);
    json(res, users.identityJson(userId, token, expiry));
  }
}

class BodyTooLarge extends Error {}

/** The JSON body (undefined when empty), at most `MAX_BODY_BYTES`. */
async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLarge();
    chunks.push(chunk);
  }
  if (size === 0) return undefined;
  return parseJson(Buffer.concat(chunks).toString('utf8'), 'request body');
}
