import { BrokerError } from '../broker-error.js';
import type { ResolvedBrokerConfig } from '../broker-config.js';
import type { AccessTokenStore } from '../metadata/access-tokens.js';
import type { Catalog, StreamState, TopicState } from '../metadata/catalog.js';
import type { ClientRegistry, ClientState } from '../metadata/clients.js';
import type { LoginThrottle } from './login-throttle.js';
import type { Messaging, TrafficCounters } from '../partitions/messaging.js';
import type { PartitionRegistry } from '../partitions/partition-registry.js';
import type { StorageBackend } from '../partitions/storage-backend.js';
import type { UserState, UserStore } from '../metadata/users.js';
import type { Views } from './views.js';
import { authorize } from './permissions.js';
import type { ServerGeneration } from '../metadata/server-generation.js';
import type { Identifier, Permissions } from '../types.js';

/** Everything the broker's commands work on. One per broker. */
export interface BrokerContext {
  config: ResolvedBrokerConfig;
  catalog: Catalog;
  users: UserStore;
  tokens: AccessTokenStore;
  clients: ClientRegistry;
  /** Failed logins per client address; null when turned off. */
  loginThrottle: LoginThrottle | null;
  partitions: PartitionRegistry;
  backend: StorageBackend;
  messaging: Messaging;
  views: Views;
  traffic: TrafficCounters;
  /** Saves the metadata snapshot (no-op when not persistent); resolves once it is durable. */
  persist(): Promise<void>;
  /** Runs metadata changes one at a time (they await storage between validation and commit). */
  exclusive<T>(change: () => Promise<T>): Promise<T>;
}

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
export function caller(ctx: BrokerContext, clientId: number): Caller {
  const client = ctx.clients.require(clientId);
  const user = client.userId === null ? undefined : ctx.users.find(client.userId);
  if (!user) throw BrokerError.of('Unauthenticated', `client ${clientId} is not logged in`);
  return { client, user, permissions: user.permissions };
}

/** Whose answers a client gets where 0.7 and 0.8 differ: what it declared at login, else the broker's. */
export function generationOf(ctx: BrokerContext, client: ClientState): ServerGeneration {
  return client.declaredGeneration ?? ctx.config.generation;
}

/** A right on one topic, e.g. `Rights.poll`. */
export type TopicRight = (permissions: Permissions | null, streamId: number, topicId: number) => boolean;

/**
 * The topic a command works on: the caller is logged in (see `caller`), the stream and topic exist
 * (StreamIdNotFound / TopicIdNotFound and their name variants) and the caller holds `right` on the
 * topic (Unauthorized (41) otherwise: "user 3 may not <action> 7").
 */
export function authorizedTopic(
  ctx: BrokerContext,
  clientId: number,
  streamId: Identifier,
  topicId: Identifier,
  right: TopicRight,
  action: string,
): [StreamState, TopicState] {
  const { user, permissions } = caller(ctx, clientId);
  const [stream, topic] = ctx.catalog.topic(streamId, topicId);
  authorize(right(permissions, stream.id, topic.id), user.id, `${action} ${topic.id}`);
  return [stream, topic];
}

/** `authorizedTopic` for queries: null when the stream or topic does not exist (the server's empty reply). */
export function findAuthorizedTopic(
  ctx: BrokerContext,
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

/** Now, in µs since the epoch. */
export function nowMicros(): bigint {
  return BigInt(Date.now()) * 1000n;
}

/** A FIFO lock over async sections. */
export function createExclusive(): <T>(change: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(change: () => Promise<T>): Promise<T> => {
    const run = tail.then(change);
    tail = run.catch(() => undefined);
    return run;
  };
}
