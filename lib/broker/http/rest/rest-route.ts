import type { ServerResponse } from 'node:http';
import type { BrokerSession } from '../../broker-session.js';
import type { TokenClaims } from './jwt-issuer.js';
import { sendJson, sendStatus } from './rest-errors.js';

/** One request, as a handler sees it: the path's parameters, query and body. */
export interface RestRequest {
  claims: TokenClaims | null;
  params: string[];
  query: URLSearchParams;
  body: unknown;
  address: string;
}

/** A route's work, in a session of the token's user that lives for this request only (the HTTP API keeps none). */
export type Handler = (session: BrokerSession, req: RestRequest, res: ServerResponse) => Promise<void>;

export interface Route {
  method: string;
  pattern: RegExp;
  handler: Handler;
}

/** A route of `method` on `path`, whose `{name}` segments become the handler's `params`, in order. */
export function route(method: string, path: string, handler: Handler): Route {
  const pattern = new RegExp(`^${path.replace(/\{[a-z_]+\}/g, '([^/]+)')}$`);
  return { method, pattern, handler };
}

export const json = (res: ServerResponse, value: unknown) => sendJson(res, 200, value);
export const noContent = (res: ServerResponse) => sendStatus(res, 204);
