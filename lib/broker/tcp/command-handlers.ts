import type { CommandCodec } from '../../protocol/command-codec.js';
import { MessageRun } from '../../protocol/messages/message-run.js';
import {
  createAccessTokenCodec,
  deleteAccessTokenCodec,
  getAccessTokensCodec,
} from '../../protocol/commands/access-tokens/index.js';
import { getClientCodec, getClientsCodec, getMeCodec } from '../../protocol/commands/clients/index.js';
import {
  createConsumerGroupCodec,
  deleteConsumerGroupCodec,
  getConsumerGroupCodec,
  getConsumerGroupsCodec,
  joinConsumerGroupCodec,
  leaveConsumerGroupCodec,
} from '../../protocol/commands/consumer-groups/index.js';
import {
  deleteConsumerOffsetCodec,
  getOffsetCodec,
  storeOffsetCodec,
} from '../../protocol/commands/consumer-offsets/index.js';
import {
  encodePollResponseHead,
  flushUnsavedBufferCodec,
  pollMessagesCodec,
  sendMessagesCodec,
  type PolledMessages,
} from '../../protocol/commands/messages/index.js';
import { createPartitionsCodec, deletePartitionsCodec } from '../../protocol/commands/partitions/index.js';
import { deleteSegmentsCodec } from '../../protocol/commands/segments/index.js';
import {
  loginUserCodec,
  loginWithAccessTokenCodec,
  logoutUserCodec,
} from '../../protocol/commands/session/index.js';
import {
  createStreamCodec,
  deleteStreamCodec,
  getStreamCodec,
  getStreamsCodec,
  purgeStreamCodec,
  updateStreamCodec,
} from '../../protocol/commands/streams/index.js';
import {
  ClusterNodeRole,
  ClusterNodeStatus,
  getClusterMetadataCodec,
  getSnapshotCodec,
  getStatsCodec,
  pingCodec,
  type ClusterMetadata,
} from '../../protocol/commands/system/index.js';
import {
  createTopicCodec,
  deleteTopicCodec,
  getTopicCodec,
  getTopicsCodec,
  purgeTopicCodec,
  updateTopicCodec,
} from '../../protocol/commands/topics/index.js';
import {
  changePasswordCodec,
  createUserCodec,
  deleteUserCodec,
  getUserCodec,
  getUsersCodec,
  updatePermissionsCodec,
  updateUserCodec,
} from '../../protocol/commands/users/index.js';
import { BrokerError } from '../broker-error.js';
import type { Broker } from '../broker.js';

/** What a connection knows about itself. `authenticated` follows successful logins and logouts. */
export interface TcpSession {
  readonly clientId: number;
  authenticated: boolean;
}

/** Where this server can be reached (GetClusterMetadata answers it). */
export interface ServerEndpoints {
  host: string;
  tcpPort: number;
  /** 0 when HTTP is off. */
  httpPort: number;
}

/** Message traffic seen by the TCP adapter (for metrics). */
export interface TrafficObserver {
  messagesSent?(count: number, bytes: number): void;
  messagesPolled?(count: number, bytes: number): void;
}

export interface HandlerContext {
  broker: Broker;
  session: TcpSession;
  endpoints(): ServerEndpoints;
  traffic?: TrafficObserver;
}

/** How one command is served: decode with `codec`, `run` against the broker, encode the answer. */
export interface CommandHandler<Req, Res> {
  codec: CommandCodec<Req, Res>;
  /** Allowed before login: Ping, LoginUser, LoginWithAccessToken (as on the real server). */
  anonymous: boolean;
  run(ctx: HandlerContext, request: Req): Res | Promise<Res>;
  /** The response payload as slices written back to back (default: one `codec.encodeResponse`). */
  slices?(response: Res): Buffer[];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyCommandHandler = CommandHandler<any, any>;

function on<Req, Res>(
  codec: CommandCodec<Req, Res>,
  run: (ctx: HandlerContext, request: Req) => Res | Promise<Res>,
  extra: Partial<Pick<CommandHandler<Req, Res>, 'anonymous' | 'slices'>> = {},
): AnyCommandHandler {
  return { codec, run, anonymous: extra.anonymous ?? false, slices: extra.slices };
}

/** A single node's cluster metadata, as the real server answers with clustering disabled. */
export function singleNodeMetadata(endpoints: ServerEndpoints): ClusterMetadata {
  return {
    name: 'single-node',
    nodes: [
      {
        name: 'iggy-node',
        ip: endpoints.host,
        endpoints: { tcp: endpoints.tcpPort, quic: 0, http: endpoints.httpPort, websocket: 0 },
        role: ClusterNodeRole.Leader,
        status: ClusterNodeStatus.Healthy,
      },
    ],
  };
}

const sessionAndSystem: AnyCommandHandler[] = [
  on(pingCodec, () => undefined, { anonymous: true }),
  on(
    loginUserCodec,
    async ({ broker, session }, req) => {
      const identity = await broker.loginUser(session.clientId, req.username, req.password, req.version);
      session.authenticated = true;
      return identity;
    },
    { anonymous: true },
  ),
  on(
    loginWithAccessTokenCodec,
    async ({ broker, session }, req) => {
      const identity = await broker.loginWithAccessToken(session.clientId, req.token);
      session.authenticated = true;
      return identity;
    },
    { anonymous: true },
  ),
  on(logoutUserCodec, ({ broker, session }) => {
    broker.logoutUser(session.clientId);
    session.authenticated = false;
  }),
  on(getStatsCodec, ({ broker, session }) => broker.getStats(session.clientId)),
  on(getSnapshotCodec, ({ broker, session }) => {
    broker.getMe(session.clientId);
    throw BrokerError.of('FeatureUnavailable', 'the embedded broker does not produce snapshots');
  }),
  on(getClusterMetadataCodec, ({ broker, session, endpoints }) => {
    broker.getMe(session.clientId);
    return singleNodeMetadata(endpoints());
  }),
  on(getMeCodec, ({ broker, session }) => broker.getMe(session.clientId)),
  on(getClientCodec, ({ broker, session }, req) => broker.getClient(session.clientId, req.clientId)),
  on(getClientsCodec, ({ broker, session }) => broker.getClients(session.clientId)),
];

const users: AnyCommandHandler[] = [
  on(getUserCodec, ({ broker, session }, req) => broker.getUser(session.clientId, req.userId)),
  on(getUsersCodec, ({ broker, session }) => broker.getUsers(session.clientId)),
  on(createUserCodec, ({ broker, session }, req) =>
    broker.createUser(session.clientId, {
      username: req.username,
      password: req.password,
      status: req.status,
      permissions: req.permissions ?? null,
    }),
  ),
  on(deleteUserCodec, ({ broker, session }, req) => broker.deleteUser(session.clientId, req.userId)),
  on(updateUserCodec, async ({ broker, session }, req) => {
    await broker.updateUser(session.clientId, req.userId, {
      username: req.username ?? null,
      status: req.status ?? null,
    });
  }),
  on(updatePermissionsCodec, ({ broker, session }, req) =>
    broker.updatePermissions(session.clientId, req.userId, req.permissions ?? null),
  ),
  on(changePasswordCodec, ({ broker, session }, req) =>
    broker.changePassword(session.clientId, req.userId, req.currentPassword, req.newPassword),
  ),
  on(getAccessTokensCodec, ({ broker, session }) => broker.getAccessTokens(session.clientId)),
  on(createAccessTokenCodec, ({ broker, session }, req) =>
    broker.createAccessToken(session.clientId, req.name, req.expiry),
  ),
  on(deleteAccessTokenCodec, ({ broker, session }, req) =>
    broker.deleteAccessToken(session.clientId, req.name),
  ),
];

const catalog: AnyCommandHandler[] = [
  on(getStreamCodec, ({ broker, session }, req) => broker.getStream(session.clientId, req.streamId)),
  on(getStreamsCodec, ({ broker, session }) => broker.getStreams(session.clientId)),
  on(createStreamCodec, ({ broker, session }, req) => broker.createStream(session.clientId, req.name)),
  on(updateStreamCodec, ({ broker, session }, req) =>
    broker.updateStream(session.clientId, req.streamId, req.name),
  ),
  on(deleteStreamCodec, ({ broker, session }, req) => broker.deleteStream(session.clientId, req.streamId)),
  on(purgeStreamCodec, ({ broker, session }, req) => broker.purgeStream(session.clientId, req.streamId)),
  on(getTopicCodec, ({ broker, session }, req) =>
    broker.getTopic(session.clientId, req.streamId, req.topicId),
  ),
  on(getTopicsCodec, ({ broker, session }, req) => broker.getTopics(session.clientId, req.streamId)),
  on(createTopicCodec, ({ broker, session }, req) =>
    broker.createTopic(session.clientId, req.streamId, {
      name: req.name,
      partitionsCount: req.partitionsCount,
      compressionAlgorithm: req.compressionAlgorithm,
      messageExpiry: req.messageExpiry,
      maxTopicSize: req.maxTopicSize,
      replicationFactor: req.replicationFactor,
    }),
  ),
  on(updateTopicCodec, ({ broker, session }, req) =>
    broker.updateTopic(session.clientId, req.streamId, req.topicId, {
      name: req.name,
      compressionAlgorithm: req.compressionAlgorithm,
      messageExpiry: req.messageExpiry,
      maxTopicSize: req.maxTopicSize,
      replicationFactor: req.replicationFactor,
    }),
  ),
  on(deleteTopicCodec, ({ broker, session }, req) =>
    broker.deleteTopic(session.clientId, req.streamId, req.topicId),
  ),
  on(purgeTopicCodec, ({ broker, session }, req) =>
    broker.purgeTopic(session.clientId, req.streamId, req.topicId),
  ),
  on(createPartitionsCodec, async ({ broker, session }, req) => {
    await broker.createPartitions(session.clientId, req.streamId, req.topicId, req.partitionsCount);
  }),
  on(deletePartitionsCodec, async ({ broker, session }, req) => {
    await broker.deletePartitions(session.clientId, req.streamId, req.topicId, req.partitionsCount);
  }),
  on(deleteSegmentsCodec, ({ broker, session }, req) =>
    broker.deleteSegments(session.clientId, req.streamId, req.topicId, req.partitionId, req.segmentsCount),
  ),
  on(getConsumerGroupCodec, ({ broker, session }, req) =>
    broker.getConsumerGroup(session.clientId, req.streamId, req.topicId, req.groupId),
  ),
  on(getConsumerGroupsCodec, ({ broker, session }, req) =>
    broker.getConsumerGroups(session.clientId, req.streamId, req.topicId),
  ),
  on(createConsumerGroupCodec, ({ broker, session }, req) =>
    broker.createConsumerGroup(session.clientId, req.streamId, req.topicId, req.name),
  ),
  on(deleteConsumerGroupCodec, ({ broker, session }, req) =>
    broker.deleteConsumerGroup(session.clientId, req.streamId, req.topicId, req.groupId),
  ),
  on(joinConsumerGroupCodec, ({ broker, session }, req) =>
    broker.joinConsumerGroup(session.clientId, req.streamId, req.topicId, req.groupId),
  ),
  on(leaveConsumerGroupCodec, ({ broker, session }, req) =>
    broker.leaveConsumerGroup(session.clientId, req.streamId, req.topicId, req.groupId),
  ),
];

/** The poll answer goes out as two slices: the 16-byte head and the message run read from the log. */
function pollSlices(response: PolledMessages): Buffer[] {
  const run = response.messages as MessageRun;
  return [encodePollResponseHead(response.partitionId, response.currentOffset, run.count), run.bytes];
}

const messages: AnyCommandHandler[] = [
  on(sendMessagesCodec, async ({ broker, session, traffic }, req) => {
    const run = req.messages instanceof MessageRun ? req.messages : MessageRun.encode(req.messages);
    const bytes = run.bytes.length;
    await broker.sendMessages(
      session.clientId,
      req.streamId,
      req.topicId,
      req.partitioning,
      run.bytes,
      run.count,
    );
    traffic?.messagesSent?.(run.count, bytes);
  }),
  on(
    pollMessagesCodec,
    async ({ broker, session, traffic }, req): Promise<PolledMessages> => {
      const result = await broker.pollMessages(session.clientId, req);
      traffic?.messagesPolled?.(result.count, result.messages.length);
      return {
        partitionId: result.partitionId,
        currentOffset: result.currentOffset,
        messages: new MessageRun(result.messages, result.count),
      };
    },
    { slices: pollSlices },
  ),
  on(flushUnsavedBufferCodec, ({ broker, session }, req) =>
    broker.flushUnsavedBuffer(session.clientId, req.streamId, req.topicId, req.partitionId, req.fsync),
  ),
  on(getOffsetCodec, ({ broker, session }, req) => broker.getConsumerOffset(session.clientId, req)),
  on(storeOffsetCodec, ({ broker, session }, req) => broker.storeConsumerOffset(session.clientId, req)),
  on(deleteConsumerOffsetCodec, ({ broker, session }, req) =>
    broker.deleteConsumerOffset(session.clientId, req),
  ),
];

/** Every command the embedded broker serves over TCP, by command code. */
export const commandHandlers: ReadonlyMap<number, AnyCommandHandler> = new Map(
  [...sessionAndSystem, ...users, ...catalog, ...messages].map((h) => [h.codec.code, h] as const),
);
