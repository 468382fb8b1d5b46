import type { IncomingMessage, ServerResponse } from 'node:http';
import { ConsumerKind, type Consumer } from '../../../protocol/primitives/consumer.js';
import type { Identifier } from '../../../protocol/primitives/identifier.js';
import { PollingKind, type PollingKindValue } from '../../../protocol/primitives/polling-strategy.js';
import * as catalog from '../../../protocol/http/catalog-json.js';
import { parseJson } from '../../../protocol/http/json-fields.js';
import { polledMessagesJson, readSendMessagesBody } from '../../../protocol/http/messages-json.js';
import { statsJson } from '../../../protocol/http/system-json.js';
import * as users from '../../../protocol/http/users-json.js';
import { ProtocolError } from '../../../protocol/protocol-error.js';
import { BrokerError } from '../../broker-error.js';
import type { Broker } from '../../broker.js';
import type { BrokerSession } from '../../broker-session.js';
import { Transport, type CompressionAlgorithmValue } from '../../types.js';
import type { JwtIssuer, TokenClaims } from './jwt-issuer.js';
import { sendError, sendJson, sendNotFound, sendStatus } from './rest-errors.js';

/** The real server's default request body limit (`http.max_request_size`). */
const MAX_BODY_BYTES = 2 * 1024 * 1024;
const PUBLIC_PATHS = new Set(['/users/login', '/users/refresh-token', '/personal-access-tokens/login']);

/** One request, as a handler sees it: the path's parameters, query and body. */
interface RestRequest {
  claims: TokenClaims | null;
  params: string[];
  query: URLSearchParams;
  body: unknown;
  address: string;
}

/** A route's work, in a session of the token's user that lives for this request only (the HTTP API keeps none). */
type Handler = (session: BrokerSession, req: RestRequest, res: ServerResponse) => Promise<void>;

interface Route {
  method: string;
  pattern: RegExp;
  handler: Handler;
}

/** A path segment, percent-decoded: InvalidIdentifier when the escapes are broken. */
function segment(value: string | undefined): string {
  try {
    return decodeURIComponent(value ?? '');
  } catch {
    throw BrokerError.of('InvalidIdentifier', `'${value}' is not a valid path segment`);
  }
}

/** A path parameter as Iggy reads an identifier: digits are a numeric id, anything else a name. */
function id(value: string | undefined): Identifier {
  const text = segment(value);
  if (/^\d+$/.test(text) && Number(text) <= 0xffffffff) return Number(text);
  if (text.length === 0 || Buffer.byteLength(text) > 255) {
    throw BrokerError.of('InvalidIdentifier', `'${text}' is not an identifier`);
  }
  return text;
}

function u32(text: string | null, what: string): number {
  if (text === null || !/^\d+$/.test(text) || Number(text) > 0xffffffff) {
    throw new ProtocolError('InvalidValue', `${what}: expected a u32, got '${text}'`);
  }
  return Number(text);
}

const POLLING: Record<string, PollingKindValue> = {
  o: PollingKind.Offset,
  offset: PollingKind.Offset,
  t: PollingKind.Timestamp,
  timestamp: PollingKind.Timestamp,
  f: PollingKind.First,
  first: PollingKind.First,
  l: PollingKind.Last,
  last: PollingKind.Last,
  n: PollingKind.Next,
  next: PollingKind.Next,
};

/** A consumer from `consumer_id` (the HTTP API has plain consumers only; 1 when absent, as the server). */
function plainConsumer(text: string | null): Consumer {
  return { kind: ConsumerKind.Consumer, id: text === null ? 1 : id(text) };
}

/** The stream and topic of a `/streams/{s}/topics/{t}` path. */
function topicTarget(r: RestRequest): { streamId: Identifier; topicId: Identifier } {
  return { streamId: id(r.params[0]), topicId: id(r.params[1]) };
}

/** A topic's settings; the compression algorithm as given (the broker refuses an unknown one). */
function topicBody(r: RestRequest, withPartitions: boolean) {
  const body = catalog.readTopicBody(r.body, withPartitions);
  return { ...body, compressionAlgorithm: body.compressionAlgorithm as CompressionAlgorithmValue };
}

function optionalPartition(query: URLSearchParams): number | null {
  const text = query.get('partition_id');
  return text === null ? null : u32(text, 'partition_id');
}

const json = (res: ServerResponse, value: unknown) => sendJson(res, 200, value);
const noContent = (res: ServerResponse) => sendStatus(res, 204);

/** Route table, in the real server's terms (`core/server/src/http`): same paths, methods and answers. */
const ROUTES: Route[] = [];
function route(method: string, path: string, handler: Handler): void {
  const pattern = new RegExp(`^${path.replace(/\{[a-z_]+\}/g, '([^/]+)')}$`);
  ROUTES.push({ method, pattern, handler });
}

route('GET', '/stats', async (s, _r, res) => json(res, statsJson(await s.getStats())));
route('GET', '/clients', async (s, _r, res) => json(res, (await s.getClients()).map(users.clientJson)));
route('GET', '/clients/{id}', async (s, r, res) => {
  const client = await s.getClient({ clientId: u32(r.params[0]!, 'client id') });
  return client ? json(res, users.clientDetailsJson(client)) : sendNotFound(res);
});

route('GET', '/streams', async (s, _r, res) => json(res, (await s.getStreams()).map(catalog.streamJson)));
route('POST', '/streams', async (s, r, res) =>
  json(
    res,
    catalog.streamDetailsJson(await s.createStream({ name: catalog.readNameBody(r.body, 'stream') })),
  ),
);
route('GET', '/streams/{s}', async (s, r, res) => {
  const stream = await s.getStream({ streamId: id(r.params[0]) });
  return stream ? json(res, catalog.streamDetailsJson(stream)) : sendNotFound(res);
});
route('PUT', '/streams/{s}', async (s, r, res) => {
  await s.updateStream({ streamId: id(r.params[0]), name: catalog.readNameBody(r.body, 'stream') });
  noContent(res);
});
route('DELETE', '/streams/{s}', async (s, r, res) => {
  await s.deleteStream({ streamId: id(r.params[0]) });
  noContent(res);
});
route('DELETE', '/streams/{s}/purge', async (s, r, res) => {
  await s.purgeStream({ streamId: id(r.params[0]) });
  noContent(res);
});

route('GET', '/streams/{s}/topics', async (s, r, res) =>
  json(res, (await s.getTopics({ streamId: id(r.params[0]) })).map(catalog.topicJson)),
);
route('POST', '/streams/{s}/topics', async (s, r, res) => {
  const body = topicBody(r, true);
  const topic = await s.createTopic({
    streamId: id(r.params[0]),
    ...body,
    partitionsCount: body.partitionsCount!,
  });
  json(res, catalog.topicDetailsJson(topic));
});
route('GET', '/streams/{s}/topics/{t}', async (s, r, res) => {
  const topic = await s.getTopic(topicTarget(r));
  return topic ? json(res, catalog.topicDetailsJson(topic)) : sendNotFound(res);
});
route('PUT', '/streams/{s}/topics/{t}', async (s, r, res) => {
  await s.updateTopic({ ...topicTarget(r), ...topicBody(r, false) });
  noContent(res);
});
route('DELETE', '/streams/{s}/topics/{t}', async (s, r, res) => {
  await s.deleteTopic(topicTarget(r));
  noContent(res);
});
route('DELETE', '/streams/{s}/topics/{t}/purge', async (s, r, res) => {
  await s.purgeTopic(topicTarget(r));
  noContent(res);
});
route('POST', '/streams/{s}/topics/{t}/partitions', async (s, r, res) => {
  await s.createPartitions({ ...topicTarget(r), partitionsCount: catalog.readPartitionsBody(r.body) });
  sendStatus(res, 201);
});
route('DELETE', '/streams/{s}/topics/{t}/partitions', async (s, r, res) => {
  const partitionsCount = u32(r.query.get('partitions_count'), 'partitions_count');
  await s.deletePartitions({ ...topicTarget(r), partitionsCount });
  noContent(res);
});
route('DELETE', '/streams/{s}/topics/{t}/partitions/{p}', async (s, r, res) => {
  const partitionId = u32(r.params[2]!, 'partition id');
  const segmentsCount = u32(r.query.get('segments_count'), 'segments_count');
  await s.deleteSegments({ ...topicTarget(r), partitionId, segmentsCount });
  noContent(res);
});

route('GET', '/streams/{s}/topics/{t}/consumer-groups', async (s, r, res) =>
  json(res, (await s.getConsumerGroups(topicTarget(r))).map(catalog.consumerGroupJson)),
);
route('POST', '/streams/{s}/topics/{t}/consumer-groups', async (s, r, res) => {
  const name = catalog.readNameBody(r.body, 'consumer group');
  const group = await s.createConsumerGroup({ ...topicTarget(r), name });
  sendJson(res, 201, catalog.consumerGroupDetailsJson(group));
});
route('GET', '/streams/{s}/topics/{t}/consumer-groups/{g}', async (s, r, res) => {
  const group = await s.getConsumerGroup({ ...topicTarget(r), groupId: id(r.params[2]) });
  return group ? json(res, catalog.consumerGroupDetailsJson(group)) : sendNotFound(res);
});
route('DELETE', '/streams/{s}/topics/{t}/consumer-groups/{g}', async (s, r, res) => {
  await s.deleteConsumerGroup({ ...topicTarget(r), groupId: id(r.params[2]) });
  noContent(res);
});

route('GET', '/streams/{s}/topics/{t}/consumer-offsets', async (s, r, res) => {
  const offset = await s.getOffset({
    ...topicTarget(r),
    consumer: plainConsumer(r.query.get('consumer_id')),
    partitionId: optionalPartition(r.query),
  });
  return offset ? json(res, catalog.consumerOffsetJson(offset)) : sendNotFound(res);
});
route('PUT', '/streams/{s}/topics/{t}/consumer-offsets', async (s, r, res) => {
  const body = catalog.readStoreOffsetBody(r.body);
  await s.storeOffset({
    ...topicTarget(r),
    consumer: plainConsumer(body.consumerId),
    partitionId: body.partitionId,
    offset: body.offset,
  });
  noContent(res);
});
route('DELETE', '/streams/{s}/topics/{t}/consumer-offsets/{c}', async (s, r, res) => {
  await s.deleteConsumerOffset({
    ...topicTarget(r),
    consumer: plainConsumer(r.params[2]!),
    partitionId: optionalPartition(r.query),
  });
  noContent(res);
});

route('GET', '/streams/{s}/topics/{t}/messages', async (s, r, res) => {
  const q = r.query;
  const kind = POLLING[q.get('kind') ?? 'offset'];
  if (kind === undefined)
    throw new ProtocolError('InvalidValue', `kind: unknown polling kind '${q.get('kind')}'`);
  const value = q.get('value') ?? '0';
  if (!/^\d{1,20}$/.test(value) || BigInt(value) >= 1n << 64n) {
    throw new ProtocolError('InvalidValue', `value: expected a u64, got '${value}'`);
  }
  const polled = await s.pollMessages({
    ...topicTarget(r),
    consumer: plainConsumer(q.get('consumer_id')),
    partitionId: optionalPartition(q),
    strategy: { kind, value: BigInt(value) },
    count: q.get('count') === null ? 10 : u32(q.get('count'), 'count'),
    autoCommit: q.get('auto_commit') === 'true',
  });
  json(res, polledMessagesJson(polled));
});
route('POST', '/streams/{s}/topics/{t}/messages', async (s, r, res) => {
  const { partitioning, messages } = readSendMessagesBody(r.body);
  await s.sendMessages({ ...topicTarget(r), partitioning, messages });
  sendStatus(res, 201);
});
route('GET', '/streams/{s}/topics/{t}/messages/flush/{p}/{fsync}', async (s, r, res) => {
  const fsync = r.params[3];
  if (fsync !== 'true' && fsync !== 'false') throw new ProtocolError('InvalidValue', `fsync: true or false`);
  const partitionId = u32(r.params[2]!, 'partition id');
  await s.flushUnsavedBuffer({ ...topicTarget(r), partitionId, fsync: fsync === 'true' });
  sendStatus(res, 200);
});

route('GET', '/users', async (s, _r, res) => json(res, (await s.getUsers()).map(users.userJson)));
route('POST', '/users', async (s, r, res) =>
  json(res, users.userDetailsJson(await s.createUser(users.readCreateUserBody(r.body)))),
);
route('GET', '/users/{u}', async (s, r, res) => {
  const user = await s.getUser({ userId: id(r.params[0]) });
  return user ? json(res, users.userDetailsJson(user)) : sendNotFound(res);
});
route('PUT', '/users/{u}', async (s, r, res) => {
  await s.updateUser({ userId: id(r.params[0]), ...users.readUpdateUserBody(r.body) });
  noContent(res);
});
route('DELETE', '/users/{u}', async (s, r, res) => {
  await s.deleteUser({ userId: id(r.params[0]) });
  noContent(res);
});
route('PUT', '/users/{u}/permissions', async (s, r, res) => {
  await s.updatePermissions({
    userId: id(r.params[0]),
    permissions: users.readPermissionsBody(r.body) ?? undefined,
  });
  noContent(res);
});
route('PUT', '/users/{u}/password', async (s, r, res) => {
  await s.changePassword({ userId: id(r.params[0]), ...users.readChangePasswordBody(r.body) });
  noContent(res);
});

route('GET', '/personal-access-tokens', async (s, _r, res) =>
  json(res, (await s.getAccessTokens()).map(users.accessTokenJson)),
);
route('POST', '/personal-access-tokens', async (s, r, res) => {
  json(res, await s.createAccessToken(users.readCreateAccessTokenBody(r.body)));
});
route('DELETE', '/personal-access-tokens/{name}', async (s, r, res) => {
  await s.deleteAccessToken({ name: segment(r.params[0]) });
  noContent(res);
});

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
