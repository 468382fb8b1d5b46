import { BrokerError } from '../broker-error.js';
import type { BrokerState } from '../broker-state.js';
import type { ClientState } from '../metadata/clients.js';
import type { StreamState, TopicState } from '../metadata/catalog.js';
import type { ServerGeneration } from '../metadata/server-generation.js';
import type { UserState } from '../metadata/users.js';
import { authorize } from './permissions.js';
import type { Identifier, Permissions } from '../types.js';

/** What finding the caller of a command uses. */
export type Callers = Pick<BrokerState, 'clients' | 'users'>;

/** What finding a topic and checking the caller's right on it use. */
export type TopicAccess = Pick<BrokerState, 'clients' | 'users' | 'catalog'>;

/** The logged-in caller of a command. */
export interface Caller {
  client: ClientState;
  user: UserState;
  permissions: Permissions | null;
}

/**
 * The caller behind `clientId`: StaleClient (30) when the client is not connected, Unauthenticated (40)
 * when it has not logged in (or its user was deleted).
 */
export function caller({ clients, users }: Callers, clientId: number): Caller {
  const client = clients.require(clientId);
  const user = client.userId === null ? undefined : users.find(client.userId);
  if (!user) throw BrokerError.of('Unauthenticated', `client ${clientId} is not logged in`);
  return { client, user, permissions: user.permissions };
}

/** Whose answers a client gets where 0.7 and 0.8 differ: what it declared at login, else the broker's. */
export function generationOf(
  config: Pick<BrokerState['config'], 'generation'>,
  client: ClientState,
): ServerGeneration {
  return client.declaredGeneration ?? config.generation;
}

/** A right on one topic, e.g. `Rights.poll`. */
export type TopicRight = (permissions: Permissions | null, streamId: number, topicId: number) => boolean;

/**
 * The topic a command works on: the caller is logged in (see `caller`), the stream and topic exist
 * (StreamIdNotFound / TopicIdNotFound and their name variants) and the caller holds `right` on the
 * topic (Unauthorized (41) otherwise: "user 3 may not <action> 7").
 */
export function authorizedTopic(
  ctx: TopicAccess,
  clientId: number,
  streamId: Identifier,
  topicId: Identifier,
  right: TopicRight,
  action: string,
): [StreamState, TopicState] {
  // Not found: the catalog's lookup throws the not-found error.
  return (
    findAuthorizedTopic(ctx, clientId, streamId, topicId, right, action) ??
    ctx.catalog.topic(streamId, topicId)
  );
}

/** `authorizedTopic` for queries: null when the stream or topic does not exist (the server's empty reply). */
export function findAuthorizedTopic(
  ctx: TopicAccess,
  clientId: number,
  streamId: Identifier,
  topicId: Identifier,
  right: TopicRight,
  action: string,
): [StreamState, TopicState] | null {
  const { user, permissions } = caller(ctx, clientId);
  const stream = ctx.catalog.findStream(streamId);
  const topic = stream && ctx.catalog.findTopic(stream, topicId);
  if (!stream || !topic) return null;
  authorize(right(permissions, stream.id, topic.id), user.id, `${action} ${topic.id}`);
  return [stream, topic];
}
