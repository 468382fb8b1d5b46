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
  type PolledRun,
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
import type { BrokerSession } from '../broker-session.js';

/** A connection's broker client, and whether it is logged in (follows successful logins and logouts). */
export interface TcpSession {
  readonly client: BrokerSession;
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
  session: TcpSession;
  endpoints(): ServerEndpoints;
  traffic?: TrafficObserver;
}

/** How one command is served: decode with `codec`, `run` on the connection's broker session, encode the answer. */
export interface CommandHandler<Req, Res> {
  codec: CommandCodec<Req, Res>;
  /** Allowed before login: Ping, LoginUser, LoginWithAccessToken (as on the real server). */
  anonymous: boolean;
  run(client: BrokerSession, request: Req, ctx: HandlerContext): Res | Promise<Res>;
  /** The response payload as slices written back to back (default: one `codec.encodeResponse`). */
  slices?(response: Res): Buffer[];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyCommandHandler = CommandHandler<any, any>;

function on<Req, Res>(
  codec: CommandCodec<Req, Res>,
  run: (client: BrokerSession, request: Req, ctx: HandlerContext) => Res | Promise<Res>,
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
  on(pingCodec, (client) => client.ping(), { anonymous: true }),
  on(
    loginUserCodec,
    async (client, req, { session }) => {
      const identity = await client.login(req.username, req.password, req.version);
      session.authenticated = true;
      return identity;
    },
    { anonymous: true },
  ),
  on(
    loginWithAccessTokenCodec,
    async (client, req, { session }) => {
      const identity = await client.loginWithToken(req.token);
      session.authenticated = true;
      return identity;
    },
    { anonymous: true },
  ),
  on(logoutUserCodec, async (client, _req, { session }) => {
    await client.logout();
    session.authenticated = false;
  }),
  on(getStatsCodec, (client) => client.getStats()),
  on(getSnapshotCodec, async (client) => {
    await client.getMe();
    throw BrokerError.of('FeatureUnavailable', 'the embedded broker does not produce snapshots');
  }),
  on(getClusterMetadataCodec, async (client, _req, { endpoints }) => {
    await client.getMe();
    return singleNodeMetadata(endpoints());
  }),
  on(getMeCodec, (client) => client.getMe()),
  on(getClientCodec, (client, req) => client.getClient(req)),
  on(getClientsCodec, (client) => client.getClients()),
];

const users: AnyCommandHandler[] = [
  on(getUserCodec, (client, req) => client.getUser(req)),
  on(getUsersCodec, (client) => client.getUsers()),
  on(createUserCodec, (client, req) => client.createUser(req)),
  on(deleteUserCodec, (client, req) => client.deleteUser(req)),
  on(updateUserCodec, (client, req) => client.updateUser(req)),
  on(updatePermissionsCodec, (client, req) => client.updatePermissions(req)),
  on(changePasswordCodec, (client, req) => client.changePassword(req)),
  on(getAccessTokensCodec, (client) => client.getAccessTokens()),
  on(createAccessTokenCodec, (client, req) => client.createAccessToken(req)),
  on(deleteAccessTokenCodec, (client, req) => client.deleteAccessToken(req)),
];

const catalog: AnyCommandHandler[] = [
  on(getStreamCodec, (client, req) => client.getStream(req)),
  on(getStreamsCodec, (client) => client.getStreams()),
  on(createStreamCodec, (client, req) => client.createStream(req)),
  on(updateStreamCodec, (client, req) => client.updateStream(req)),
  on(deleteStreamCodec, (client, req) => client.deleteStream(req)),
  on(purgeStreamCodec, (client, req) => client.purgeStream(req)),
  on(getTopicCodec, (client, req) => client.getTopic(req)),
  on(getTopicsCodec, (client, req) => client.getTopics(req)),
  on(createTopicCodec, (client, req) => client.createTopic(req)),
  on(updateTopicCodec, (client, req) => client.updateTopic(req)),
  on(deleteTopicCodec, (client, req) => client.deleteTopic(req)),
  on(purgeTopicCodec, (client, req) => client.purgeTopic(req)),
  on(createPartitionsCodec, (client, req) => client.createPartitions(req)),
  on(deletePartitionsCodec, (client, req) => client.deletePartitions(req)),
  on(deleteSegmentsCodec, (client, req) => client.deleteSegments(req)),
  on(getConsumerGroupCodec, (client, req) => client.getConsumerGroup(req)),
  on(getConsumerGroupsCodec, (client, req) => client.getConsumerGroups(req)),
  on(createConsumerGroupCodec, (client, req) => client.createConsumerGroup(req)),
  on(deleteConsumerGroupCodec, (client, req) => client.deleteConsumerGroup(req)),
  on(joinConsumerGroupCodec, (client, req) => client.joinConsumerGroup(req)),
  on(leaveConsumerGroupCodec, (client, req) => client.leaveConsumerGroup(req)),
];

/** The poll answer goes out as two slices: the 16-byte head and the message run read from the log. */
function pollSlices(response: PolledRun): Buffer[] {
  const run = response.messages;
  return [encodePollResponseHead(response.partitionId, response.currentOffset, run.count), run.bytes];
}

const messages: AnyCommandHandler[] = [
  on(sendMessagesCodec, async (client, req, { traffic }) => {
    const run = req.messages instanceof MessageRun ? req.messages : MessageRun.encode(req.messages);
    const bytes = run.bytes.length;
    await client.sendMessages({ ...req, messages: run });
    traffic?.messagesSent?.(run.count, bytes);
  }),
  on(
    pollMessagesCodec,
    async (client, req, { traffic }): Promise<PolledRun> => {
      const polled = await client.pollMessagesRun(req);
      traffic?.messagesPolled?.(polled.messages.count, polled.messages.bytes.length);
      return polled;
    },
    { slices: pollSlices },
  ),
  on(flushUnsavedBufferCodec, (client, req) => client.flushUnsavedBuffer(req)),
  on(getOffsetCodec, (client, req) => client.getOffset(req)),
  on(storeOffsetCodec, (client, req) => client.storeOffset(req)),
  on(deleteConsumerOffsetCodec, (client, req) => client.deleteConsumerOffset(req)),
];

/** Every command the embedded broker serves over TCP, by command code. */
export const commandHandlers: ReadonlyMap<number, AnyCommandHandler> = new Map(
  [...sessionAndSystem, ...users, ...catalog, ...messages].map((h) => [h.codec.code, h] as const),
);
