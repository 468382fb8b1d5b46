import type { CommandName } from '../../protocol/codes/command-codes.js';
import { IggyErrorCode } from '../../protocol/codes/error-codes.js';
import { MessageRun } from '../../protocol/messages/message-run.js';
import type { OutgoingMessage } from '../../protocol/messages/message-batch.js';
import { ConsumerKind, type Consumer } from '../../protocol/primitives/consumer.js';
import type { Identifier } from '../../protocol/primitives/identifier.js';
import { PollingKind } from '../../protocol/primitives/polling-strategy.js';
import { IggyError } from '../errors.js';
import { JsonFields } from '../../protocol/http/json-fields.js';
import * as catalog from '../../protocol/http/catalog-json.js';
import { readList } from '../../protocol/http/json-fields.js';
import {
  outgoingMessageJson,
  partitioningJson,
  readPolledMessages,
} from '../../protocol/http/messages-json.js';
import { readClusterMetadata, readStats } from '../../protocol/http/system-json.js';
import * as users from '../../protocol/http/users-json.js';

/** One HTTP request of a command. `query` values are written as decimal strings. */
export interface HttpCall {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  query?: Record<string, string | number | bigint | boolean | null | undefined>;
  body?: unknown;
  /** The command answers null for a 404 (a missing stream, topic, group, user, client or offset). */
  nullWhenNotFound?: boolean;
}

/** How one command travels over HTTP: the request it makes and how its JSON answer is read. */
export interface HttpRoute {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- typed by the codec at the call site
  call(request: any): HttpCall;
  read(json: unknown): unknown;
}

const seg = (id: Identifier) => encodeURIComponent(String(id));
const stream = (r: { streamId: Identifier }) => `/streams/${seg(r.streamId)}`;
const topic = (r: { streamId: Identifier; topicId: Identifier }) => `${stream(r)}/topics/${seg(r.topicId)}`;
const nothing = () => undefined;
const object =
  <T>(read: (f: JsonFields) => T, what: string) =>
  (json: unknown): T =>
    read(JsonFields.of(json, what));
const array =
  <T>(read: (f: JsonFields) => T, what: string) =>
  (json: unknown): T[] =>
    readList(json, what, read);

/** Iggy's HTTP API keeps no session: group membership (join, leave, group polls and offsets) is TCP only. */
export function unsupportedOverHttp(command: string, why: string): IggyError {
  const error = new IggyError(IggyErrorCode.FeatureUnavailable, command);
  error.message = `${command} failed: not available over HTTP (${why}); use protocol 'tcp'`;
  return error;
}

function plainConsumer(command: string, consumer: Consumer): string {
  if (consumer.kind === ConsumerKind.ConsumerGroup) {
    throw unsupportedOverHttp(command, 'the HTTP API reads and stores offsets of plain consumers only');
  }
  return String(consumer.id);
}

const POLLING_NAMES: Record<number, string> = {
  [PollingKind.Offset]: 'offset',
  [PollingKind.Timestamp]: 'timestamp',
  [PollingKind.First]: 'first',
  [PollingKind.Last]: 'last',
  [PollingKind.Next]: 'next',
};

function outgoing(messages: readonly OutgoingMessage[] | MessageRun): readonly OutgoingMessage[] {
  return messages instanceof MessageRun ? messages.decode() : messages;
}

const topicBody = (r: {
  name: string;
  compressionAlgorithm: number;
  messageExpiry: bigint;
  maxTopicSize: bigint;
  replicationFactor: number;
}) => ({
  name: r.name,
  compression_algorithm: catalog.compressionName(r.compressionAlgorithm),
  message_expiry: r.messageExpiry,
  max_topic_size: r.maxTopicSize,
  replication_factor: r.replicationFactor,
});

/** Every command the HTTP API has a route for (servers 0.7 and 0.8), by command name. */
export const httpRoutes: Partial<Record<CommandName, HttpRoute>> = {
  Ping: { call: () => ({ method: 'GET', path: '/ping' }), read: nothing },
  GetStats: { call: () => ({ method: 'GET', path: '/stats' }), read: object(readStats, 'stats') },
  GetClusterMetadata: {
    call: () => ({ method: 'GET', path: '/cluster/metadata' }),
    read: object(readClusterMetadata, 'cluster metadata'),
  },
  GetClient: {
    call: (r: { clientId: number }) => ({
      method: 'GET',
      path: `/clients/${r.clientId}`,
      nullWhenNotFound: true,
    }),
    read: object(users.readClientDetails, 'client'),
  },
  GetClients: {
    call: () => ({ method: 'GET', path: '/clients' }),
    read: array(users.readClient, 'clients'),
  },

  GetStream: {
    call: (r) => ({ method: 'GET', path: stream(r), nullWhenNotFound: true }),
    read: object(catalog.readStreamDetails, 'stream'),
  },
  GetStreams: {
    call: () => ({ method: 'GET', path: '/streams' }),
    read: array(catalog.readStream, 'streams'),
  },
  CreateStream: {
    call: (r: { name: string }) => ({ method: 'POST', path: '/streams', body: { name: r.name } }),
    read: object(catalog.readStreamDetails, 'stream'),
  },
  UpdateStream: {
    call: (r: { streamId: Identifier; name: string }) => ({
      method: 'PUT',
      path: stream(r),
      body: { name: r.name },
    }),
    read: nothing,
  },
  DeleteStream: { call: (r) => ({ method: 'DELETE', path: stream(r) }), read: nothing },
  PurgeStream: { call: (r) => ({ method: 'DELETE', path: `${stream(r)}/purge` }), read: nothing },

  GetTopic: {
    call: (r) => ({ method: 'GET', path: topic(r), nullWhenNotFound: true }),
    read: object(catalog.readTopicDetails, 'topic'),
  },
  GetTopics: {
    call: (r) => ({ method: 'GET', path: `${stream(r)}/topics` }),
    read: array(catalog.readTopic, 'topics'),
  },
  CreateTopic: {
    call: (r) => ({
      method: 'POST',
      path: `${stream(r)}/topics`,
      body: { ...topicBody(r), partitions_count: r.partitionsCount },
    }),
    read: object(catalog.readTopicDetails, 'topic'),
  },
  UpdateTopic: { call: (r) => ({ method: 'PUT', path: topic(r), body: topicBody(r) }), read: nothing },
  DeleteTopic: { call: (r) => ({ method: 'DELETE', path: topic(r) }), read: nothing },
  PurgeTopic: { call: (r) => ({ method: 'DELETE', path: `${topic(r)}/purge` }), read: nothing },
  CreatePartitions: {
    call: (r) => ({
      method: 'POST',
      path: `${topic(r)}/partitions`,
      body: { partitions_count: r.partitionsCount },
    }),
    read: nothing,
  },
  DeletePartitions: {
    call: (r) => ({
      method: 'DELETE',
      path: `${topic(r)}/partitions`,
      query: { partitions_count: r.partitionsCount },
    }),
    read: nothing,
  },
  DeleteSegments: {
    call: (r) => ({
      method: 'DELETE',
      path: `${topic(r)}/partitions/${r.partitionId}`,
      query: { segments_count: r.segmentsCount },
    }),
    read: nothing,
  },

  GetConsumerGroup: {
    call: (r) => ({
      method: 'GET',
      path: `${topic(r)}/consumer-groups/${seg(r.groupId)}`,
      nullWhenNotFound: true,
    }),
    read: object(catalog.readConsumerGroupDetails, 'consumer group'),
  },
  GetConsumerGroups: {
    call: (r) => ({ method: 'GET', path: `${topic(r)}/consumer-groups` }),
    read: array(catalog.readConsumerGroup, 'consumer groups'),
  },
  CreateConsumerGroup: {
    call: (r) => ({ method: 'POST', path: `${topic(r)}/consumer-groups`, body: { name: r.name } }),
    read: object(catalog.readConsumerGroupDetails, 'consumer group'),
  },
  DeleteConsumerGroup: {
    call: (r) => ({ method: 'DELETE', path: `${topic(r)}/consumer-groups/${seg(r.groupId)}` }),
    read: nothing,
  },

  PollMessages: {
    call: (r) => ({
      method: 'GET',
      path: `${topic(r)}/messages`,
      query: {
        consumer_id: plainConsumer('PollMessages', r.consumer),
        partition_id: r.partitionId,
        kind: POLLING_NAMES[r.strategy.kind],
        value: r.strategy.value,
        count: r.count,
        auto_commit: r.autoCommit,
      },
    }),
    read: object(readPolledMessages, 'polled messages'),
  },
  SendMessages: {
    call: (r) => ({
      method: 'POST',
      path: `${topic(r)}/messages`,
      body: {
        partitioning: partitioningJson(r.partitioning),
        messages: outgoing(r.messages).map(outgoingMessageJson),
      },
    }),
    read: nothing,
  },
  FlushUnsavedBuffer: {
    call: (r) => ({ method: 'GET', path: `${topic(r)}/messages/flush/${r.partitionId}/${r.fsync === true}` }),
    read: nothing,
  },
  GetOffset: {
    call: (r) => ({
      method: 'GET',
      path: `${topic(r)}/consumer-offsets`,
      query: { consumer_id: plainConsumer('GetOffset', r.consumer), partition_id: r.partitionId },
      nullWhenNotFound: true,
    }),
    read: object(catalog.readConsumerOffset, 'consumer offset'),
  },
  StoreOffset: {
    call: (r) => ({
      method: 'PUT',
      path: `${topic(r)}/consumer-offsets`,
      body: {
        consumer_id: plainConsumer('StoreOffset', r.consumer),
        partition_id: r.partitionId,
        offset: r.offset,
      },
    }),
    read: nothing,
  },
  DeleteConsumerOffset: {
    call: (r) => ({
      method: 'DELETE',
      path: `${topic(r)}/consumer-offsets/${seg(plainConsumer('DeleteConsumerOffset', r.consumer))}`,
      query: { partition_id: r.partitionId },
    }),
    read: nothing,
  },

  GetUser: {
    call: (r) => ({ method: 'GET', path: `/users/${seg(r.userId)}`, nullWhenNotFound: true }),
    read: object(users.readUserDetails, 'user'),
  },
  GetUsers: { call: () => ({ method: 'GET', path: '/users' }), read: array(users.readUser, 'users') },
  CreateUser: {
    call: (r) => ({
      method: 'POST',
      path: '/users',
      body: {
        username: r.username,
        password: r.password,
        status: users.userStatusName(r.status),
        permissions: r.permissions ? users.permissionsJson(r.permissions) : null,
      },
    }),
    read: object(users.readUserDetails, 'user'),
  },
  UpdateUser: {
    call: (r) => ({
      method: 'PUT',
      path: `/users/${seg(r.userId)}`,
      body: {
        username: r.username ?? null,
        status: r.status === undefined ? null : users.userStatusName(r.status),
      },
    }),
    read: nothing,
  },
  DeleteUser: { call: (r) => ({ method: 'DELETE', path: `/users/${seg(r.userId)}` }), read: nothing },
  UpdatePermissions: {
    call: (r) => ({
      method: 'PUT',
      path: `/users/${seg(r.userId)}/permissions`,
      body: { permissions: r.permissions ? users.permissionsJson(r.permissions) : null },
    }),
    read: nothing,
  },
  ChangePassword: {
    call: (r) => ({
      method: 'PUT',
      path: `/users/${seg(r.userId)}/password`,
      body: { current_password: r.currentPassword, new_password: r.newPassword },
    }),
    read: nothing,
  },
  LogoutUser: { call: () => ({ method: 'DELETE', path: '/users/logout' }), read: nothing },

  GetAccessTokens: {
    call: () => ({ method: 'GET', path: '/personal-access-tokens' }),
    read: array(users.readAccessToken, 'personal access tokens'),
  },
  CreateAccessToken: {
    call: (r) => ({
      method: 'POST',
      path: '/personal-access-tokens',
      body: { name: r.name, expiry: r.expiry },
    }),
    read: object((f) => ({ token: f.string('token') }), 'personal access token'),
  },
  DeleteAccessToken: {
    call: (r) => ({ method: 'DELETE', path: `/personal-access-tokens/${seg(r.name)}` }),
    read: nothing,
  },
};
