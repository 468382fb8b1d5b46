import type { IncomingMessage, ServerResponse } from 'node:http';
import { ConsumerKind, type Consumer } from '../../../protocol/primitives/consumer.js';
import type { Identifier } from '../../../protocol/primitives/identifier.js';
import { PollingKind, type PollingKindValue } from '../../../protocol/primitives/polling-strategy.js';
import { encodeMessages } from '../../../protocol/messages/message-batch.js';
import { decodeMessages } from '../../../protocol/messages/message-decode.js';
import * as catalog from '../../../protocol/http/catalog-json.js';
import { parseJson } from '../../../protocol/http/json-fields.js';
import { polledMessagesJson, readSendMessagesBody } from '../../../protocol/http/messages-json.js';
import { statsJson } from '../../../protocol/http/system-json.js';
import * as users from '../../../protocol/http/users-json.js';
import { ProtocolError } from '../../../protocol/protocol-error.js';
import { BrokerError } from '../../broker-error.js';
import type { Broker } from '../../broker.js';
import { Transport } from '../../types.js';
import type { JwtIssuer, TokenClaims } from './jwt-issuer.js';
import { sendError, sendJson, sendNotFound, sendStatus } from './rest-errors.js';

/** The real server's default request body limit (`http.max_request_size`). */
const MAX_BODY_BYTES = 2 * 1024 * 1024;
const PUBLIC_PATHS = new Set(['/users/login', '/users/refresh-token', '/personal-access-tokens/login']);

/** One request, as a handler sees it: the caller's session, the path's parameters, query and body. */
interface RestRequest {
  /** A session of the token's user, for this request only (the HTTP API keeps none). */
  clientId: number;
  claims: TokenClaims | null;
  params: string[];
  query: URLSearchParams;
  body: unknown;
  address: string;
}

type Handler = (broker: Broker, req: RestRequest, res: ServerResponse) => Promise<void> | void;

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

route('GET', '/stats', (b, r, res) => json(res, statsJson(b.getStats(r.clientId))));
route('GET', '/clients', (b, r, res) => json(res, b.getClients(r.clientId).map(users.clientJson)));
route('GET', '/clients/{id}', (b, r, res) => {
  const client = b.getClient(r.clientId, u32(r.params[0]!, 'client id'));
  return client ? json(res, users.clientDetailsJson(client)) : sendNotFound(res);
});

route('GET', '/streams', (b, r, res) => json(res, b.getStreams(r.clientId).map(catalog.streamJson)));
route('POST', '/streams', async (b, r, res) =>
  json(
    res,
    catalog.streamDetailsJson(await b.createStream(r.clientId, catalog.readNameBody(r.body, 'stream'))),
  ),
);
route('GET', '/streams/{s}', (b, r, res) => {
  const stream = b.getStream(r.clientId, id(r.params[0]));
  return stream ? json(res, catalog.streamDetailsJson(stream)) : sendNotFound(res);
});
route('PUT', '/streams/{s}', async (b, r, res) => {
  await b.updateStream(r.clientId, id(r.params[0]), catalog.readNameBody(r.body, 'stream'));
  noContent(res);
});
route('DELETE', '/streams/{s}', async (b, r, res) => {
  await b.deleteStream(r.clientId, id(r.params[0]));
  noContent(res);
});
route('DELETE', '/streams/{s}/purge', async (b, r, res) => {
  await b.purgeStream(r.clientId, id(r.params[0]));
  noContent(res);
});

route('GET', '/streams/{s}/topics', (b, r, res) =>
  json(res, b.getTopics(r.clientId, id(r.params[0])).map(catalog.topicJson)),
);
route('POST', '/streams/{s}/topics', async (b, r, res) => {
  const body = catalog.readTopicBody(r.body, true);
  const topic = await b.createTopic(r.clientId, id(r.params[0]), {
    ...body,
    partitionsCount: body.partitionsCount!,
  });
  json(res, catalog.topicDetailsJson(topic));
});
route('GET', '/streams/{s}/topics/{t}', (b, r, res) => {
  const topic = b.getTopic(r.clientId, id(r.params[0]), id(r.params[1]));
  return topic ? json(res, catalog.topicDetailsJson(topic)) : sendNotFound(res);
});
route('PUT', '/streams/{s}/topics/{t}', async (b, r, res) => {
  await b.updateTopic(r.clientId, id(r.params[0]), id(r.params[1]), catalog.readTopicBody(r.body, false));
  noContent(res);
});
route('DELETE', '/streams/{s}/topics/{t}', async (b, r, res) => {
  await b.deleteTopic(r.clientId, id(r.params[0]), id(r.params[1]));
  noContent(res);
});
route('DELETE', '/streams/{s}/topics/{t}/purge', async (b, r, res) => {
  await b.purgeTopic(r.clientId, id(r.params[0]), id(r.params[1]));
  noContent(res);
});
route('POST', '/streams/{s}/topics/{t}/partitions', async (b, r, res) => {
  await b.createPartitions(r.clientId, id(r.params[0]), id(r.params[1]), catalog.readPartitionsBody(r.body));
  sendStatus(res, 201);
});
route('DELETE', '/streams/{s}/topics/{t}/partitions', async (b, r, res) => {
  const count = u32(r.query.get('partitions_count'), 'partitions_count');
  await b.deletePartitions(r.clientId, id(r.params[0]), id(r.params[1]), count);
  noContent(res);
});
route('DELETE', '/streams/{s}/topics/{t}/partitions/{p}', async (b, r, res) => {
  const partition = u32(r.params[2]!, 'partition id');
  const count = u32(r.query.get('segments_count'), 'segments_count');
  await b.deleteSegments(r.clientId, id(r.params[0]), id(r.params[1]), partition, count);
  noContent(res);
});

route('GET', '/streams/{s}/topics/{t}/consumer-groups', (b, r, res) =>
  json(res, b.getConsumerGroups(r.clientId, id(r.params[0]), id(r.params[1])).map(catalog.consumerGroupJson)),
);
route('POST', '/streams/{s}/topics/{t}/consumer-groups', async (b, r, res) => {
  const name = catalog.readNameBody(r.body, 'consumer group');
  const group = await b.createConsumerGroup(r.clientId, id(r.params[0]), id(r.params[1]), name);
  sendJson(res, 201, catalog.consumerGroupDetailsJson(group));
});
route('GET', '/streams/{s}/topics/{t}/consumer-groups/{g}', (b, r, res) => {
  const group = b.getConsumerGroup(r.clientId, id(r.params[0]), id(r.params[1]), id(r.params[2]));
  return group ? json(res, catalog.consumerGroupDetailsJson(group)) : sendNotFound(res);
});
route('DELETE', '/streams/{s}/topics/{t}/consumer-groups/{g}', async (b, r, res) => {
  await b.deleteConsumerGroup(r.clientId, id(r.params[0]), id(r.params[1]), id(r.params[2]));
  noContent(res);
});

route('GET', '/streams/{s}/topics/{t}/consumer-offsets', (b, r, res) => {
  const offset = b.getConsumerOffset(r.clientId, {
    streamId: id(r.params[0]),
    topicId: id(r.params[1]),
    consumer: plainConsumer(r.query.get('consumer_id')),
    partitionId: optionalPartition(r.query),
  });
  return offset ? json(res, catalog.consumerOffsetJson(offset)) : sendNotFound(res);
});
route('PUT', '/streams/{s}/topics/{t}/consumer-offsets', async (b, r, res) => {
  const body = catalog.readStoreOffsetBody(r.body);
  await b.storeConsumerOffset(r.clientId, {
    streamId: id(r.params[0]),
    topicId: id(r.params[1]),
    consumer: plainConsumer(body.consumerId),
    partitionId: body.partitionId,
    offset: body.offset,
  });
  noContent(res);
});
route('DELETE', '/streams/{s}/topics/{t}/consumer-offsets/{c}', async (b, r, res) => {
  await b.deleteConsumerOffset(r.clientId, {
    streamId: id(r.params[0]),
    topicId: id(r.params[1]),
    consumer: plainConsumer(r.params[2]!),
    partitionId: optionalPartition(r.query),
  });
  noContent(res);
});

route('GET', '/streams/{s}/topics/{t}/messages', async (b, r, res) => {
  const q = r.query;
  const kind = POLLING[q.get('kind') ?? 'offset'];
  if (kind === undefined)
    throw new ProtocolError('InvalidValue', `kind: unknown polling kind '${q.get('kind')}'`);
  const value = q.get('value') ?? '0';
  if (!/^\d{1,20}$/.test(value) || BigInt(value) >= 1n << 64n) {
    throw new ProtocolError('InvalidValue', `value: expected a u64, got '${value}'`);
  }
  const polled = await b.pollMessages(r.clientId, {
    streamId: id(r.params[0]),
    topicId: id(r.params[1]),
    consumer: plainConsumer(q.get('consumer_id')),
    partitionId: optionalPartition(q),
    strategy: { kind, value: BigInt(value) },
    count: q.get('count') === null ? 10 : u32(q.get('count'), 'count'),
    autoCommit: q.get('auto_commit') === 'true',
  });
  const messages = decodeMessages(polled.messages, polled.count);
  json(
    res,
    polledMessagesJson({ partitionId: polled.partitionId, currentOffset: polled.currentOffset, messages }),
  );
});
route('POST', '/streams/{s}/topics/{t}/messages', async (b, r, res) => {
  const { partitioning, messages } = readSendMessagesBody(r.body);
  const run = encodeMessages(messages);
  await b.sendMessages(r.clientId, id(r.params[0]), id(r.params[1]), partitioning, run, messages.length);
  sendStatus(res, 201);
});
route('GET', '/streams/{s}/topics/{t}/messages/flush/{p}/{fsync}', async (b, r, res) => {
  const fsync = r.params[3];
  if (fsync !== 'true' && fsync !== 'false') throw new ProtocolError('InvalidValue', `fsync: true or false`);
  await b.flushUnsavedBuffer(
    r.clientId,
    id(r.params[0]),
    id(r.params[1]),
    u32(r.params[2]!, 'partition id'),
    fsync === 'true',
  );
  sendStatus(res, 200);
});

route('GET', '/users', (b, r, res) => json(res, b.getUsers(r.clientId).map(users.userJson)));
route('POST', '/users', async (b, r, res) =>
  json(res, users.userDetailsJson(await b.createUser(r.clientId, users.readCreateUserBody(r.body)))),
);
route('GET', '/users/{u}', (b, r, res) => {
  const user = b.getUser(r.clientId, id(r.params[0]));
  return user ? json(res, users.userDetailsJson(user)) : sendNotFound(res);
});
route('PUT', '/users/{u}', async (b, r, res) => {
  await b.updateUser(r.clientId, id(r.params[0]), users.readUpdateUserBody(r.body));
  noContent(res);
});
route('DELETE', '/users/{u}', async (b, r, res) => {
  await b.deleteUser(r.clientId, id(r.params[0]));
  noContent(res);
});
route('PUT', '/users/{u}/permissions', async (b, r, res) => {
  await b.updatePermissions(r.clientId, id(r.params[0]), users.readPermissionsBody(r.body));
  noContent(res);
});
route('PUT', '/users/{u}/password', async (b, r, res) => {
  const body = users.readChangePasswordBody(r.body);
  await b.changePassword(r.clientId, id(r.params[0]), body.currentPassword, body.newPassword);
  noContent(res);
});

route('GET', '/personal-access-tokens', (b, r, res) =>
  json(res, b.getAccessTokens(r.clientId).map(users.accessTokenJson)),
);
route('POST', '/personal-access-tokens', async (b, r, res) => {
  const body = users.readCreateAccessTokenBody(r.body);
  json(res, await b.createAccessToken(r.clientId, body.name, body.expiry));
});
route('DELETE', '/personal-access-tokens/{name}', async (b, r, res) => {
  await b.deleteAccessToken(r.clientId, segment(r.params[0]));
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
      const clientId = this.session(claims.userId, address);
      if (clientId === null) return sendStatus(res, 401);
      try {
        await match.handler(
          this.broker,
          { clientId, claims, params: match.params, query, body, address },
          res,
        );
      } finally {
        this.broker.disconnectClient(clientId);
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
  private session(userId: number, address: string): number | null {
    try {
      return this.broker.connectInternalClient(userId, address, Transport.Http);
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
      const clientId = this.broker.connectClient(Transport.Http, address);
      try {
        if (path === '/users/login') {
          const { username, password } = users.readLoginBody(body);
          ({ userId } = await this.broker.loginUser(clientId, username, password));
        } else {
          ({ userId } = await this.broker.loginWithAccessToken(clientId, users.readTokenBody(body)));
        }
      } finally {
        this.broker.disconnectClient(clientId);
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
