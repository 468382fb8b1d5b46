import type { CommandCodec } from '../protocol/command-codec.js';
import {
  createAccessTokenCodec,
  deleteAccessTokenCodec,
  getAccessTokensCodec,
  type AccessTokenInfo,
  type CreateAccessTokenRequest,
  type DeleteAccessTokenRequest,
  type RawAccessToken,
} from '../protocol/commands/access-tokens/index.js';
import {
  getClientCodec,
  getClientsCodec,
  getMeCodec,
  type ClientDetails,
  type ClientInfo,
  type GetClientRequest,
} from '../protocol/commands/clients/index.js';
import {
  createConsumerGroupCodec,
  deleteConsumerGroupCodec,
  getConsumerGroupCodec,
  getConsumerGroupsCodec,
  joinConsumerGroupCodec,
  leaveConsumerGroupCodec,
  type ConsumerGroup,
  type ConsumerGroupDetails,
  type CreateConsumerGroupRequest,
  type GroupTarget,
} from '../protocol/commands/consumer-groups/index.js';
import {
  createPartitionsCodec,
  deletePartitionsCodec,
  type CreatePartitionsRequest,
  type DeletePartitionsRequest,
} from '../protocol/commands/partitions/index.js';
import {
  deleteConsumerOffsetCodec,
  getOffsetCodec,
  storeOffsetCodec,
  type ConsumerOffsetInfo,
  type ConsumerOffsetTarget,
  type StoreOffsetRequest,
} from '../protocol/commands/consumer-offsets/index.js';
import {
  decodePollResponseRun,
  encodeSendMessagesParts,
  flushUnsavedBufferCodec,
  pollMessagesCodec,
  sendMessagesCodec,
  type FlushUnsavedBufferRequest,
  type PollMessagesRequest,
  type PolledRun,
  type SendMessagesRequest,
} from '../protocol/commands/messages/index.js';
import type { PolledMessage } from '../protocol/messages/message-batch.js';
import { MessageRun } from '../protocol/messages/message-run.js';
import { deleteSegmentsCodec, type DeleteSegmentsRequest } from '../protocol/commands/segments/index.js';
import {
  loginUserCodec,
  loginWithAccessTokenCodec,
  logoutUserCodec,
  type IdentityInfo,
} from '../protocol/commands/session/index.js';
import {
  createStreamCodec,
  deleteStreamCodec,
  getStreamCodec,
  getStreamsCodec,
  purgeStreamCodec,
  updateStreamCodec,
  type CreateStreamRequest,
  type Stream,
  type StreamDetails,
  type StreamTarget,
  type UpdateStreamRequest,
} from '../protocol/commands/streams/index.js';
import {
  getClusterMetadataCodec,
  getSnapshotCodec,
  getStatsCodec,
  pingCodec,
  type ClusterMetadata,
  type GetSnapshotRequest,
  type Stats,
} from '../protocol/commands/system/index.js';
import {
  CompressionAlgorithm,
  createTopicCodec,
  deleteTopicCodec,
  getTopicCodec,
  getTopicsCodec,
  purgeTopicCodec,
  updateTopicCodec,
  type CreateTopicRequest,
  type Topic,
  type TopicDetails,
  type TopicTarget,
  type UpdateTopicRequest,
} from '../protocol/commands/topics/index.js';
import {
  changePasswordCodec,
  createUserCodec,
  deleteUserCodec,
  getUserCodec,
  getUsersCodec,
  updatePermissionsCodec,
  updateUserCodec,
  type ChangePasswordRequest,
  type CreateUserRequest,
  type DeleteUserRequest,
  type GetUserRequest,
  type UpdatePermissionsRequest,
  type UpdateUserRequest,
  type UserDetails,
  type UserInfo,
} from '../protocol/commands/users/index.js';
import { IggyClientCore } from './client-core.js';
import { parseConnectionString } from './connection-string.js';
import type { IggyClientOptions, IggyCredentials } from './options.js';

type Optional<T, K extends keyof T> = Omit<T, K> & Partial<Pick<T, K>>;

/** CreateTopic with defaults: no compression, server-default expiry and size, replication factor 1. */
export type CreateTopicInput = Optional<
  CreateTopicRequest,
  'compressionAlgorithm' | 'messageExpiry' | 'maxTopicSize' | 'replicationFactor'
>;

/** Offset commands with the partition optional (`null`/absent: the server picks, as for group members). */
export type OffsetTarget = Optional<ConsumerOffsetTarget, 'partitionId'>;

/** PollMessages with the partition optional and auto-commit off by default. */
export type PollInput = Optional<PollMessagesRequest, 'partitionId' | 'autoCommit'>;

/** A poll's answer with the messages decoded. */
export interface PollResult {
  /** 0-based partition the messages come from. */
  partitionId: number;
  /** The partition's current (last) offset. */
  currentOffset: bigint;
  messages: PolledMessage[];
}

/**
 * A client for a real Iggy server (0.7 binary protocol) over one TCP or TLS connection.
 *
 * ```ts
 * const client = IggyClient.fromConnectionString('iggy://iggy:iggy@127.0.0.1:8090');
 * await client.connect();           // connects and logs in
 * const stream = await client.createStream({ name: 'orders' });
 * await client.close();
 * ```
 * Every command is one method, a thin `request(codec, request)`. Requests are pipelined; see
 * `IggyClientCore` for timeouts, the in-flight window and reconnection. Server errors reject with
 * `IggyError`, everything else with `IggyClientError`.
 */
export class IggyClient extends IggyClientCore {
  private serverVersionValue: string | null = null;

  constructor(options: IggyClientOptions = {}) {
    super(options);
  }

  /**
   * The server's version (`0.7.0`, `0.8.0`...) as it reported it after the last login; null before, or
   * when it would not tell (a user without the read-servers right, `detectServerVersion: false`).
   */
  get serverVersion(): string | null {
    return this.serverVersionValue;
  }

  /** A client from a connection string (see `parseConnectionString`); `overrides` win over it. */
  static fromConnectionString(connectionString: string, overrides: IggyClientOptions = {}): IggyClient {
    return new IggyClient({ ...parseConnectionString(connectionString), ...overrides });
  }

  protected async authenticate(
    credentials: IggyCredentials,
    send: <Req, Res>(codec: CommandCodec<Req, Res>, request: Req) => Promise<Res>,
  ): Promise<void> {
    if ('token' in credentials) await send(loginWithAccessTokenCodec, { token: credentials.token });
    else await send(loginUserCodec, { username: credentials.username, password: credentials.password });
  }

  protected async onLoggedIn(
    send: <Req, Res>(codec: CommandCodec<Req, Res>, request: Req) => Promise<Res>,
  ): Promise<void> {
    if (!this.options.detectServerVersion) return;
    try {
      this.serverVersionValue = (await send(getStatsCodec, undefined)).iggyServerVersion || null;
    } catch {
      this.serverVersionValue = null; // not allowed to read stats, or an older server: unknown
    }
  }

  protected sendHeartbeat(): Promise<unknown> {
    return this.ping();
  }

  // ── session ────────────────────────────────────────────────────────────────────────────────────

  /** Logs in; the credentials are kept and used again after every reconnect. */
  async login(username: string, password: string): Promise<IdentityInfo> {
    const identity = await this.request(loginUserCodec, { username, password });
    this.credentials = { username, password };
    await this.onLoggedIn((codec, request) => this.request(codec, request));
    return identity;
  }

  /** Logs in with a personal access token; kept for re-login like `login`. */
  async loginWithToken(token: string): Promise<IdentityInfo> {
    const identity = await this.request(loginWithAccessTokenCodec, { token });
    this.credentials = { token };
    await this.onLoggedIn((codec, request) => this.request(codec, request));
    return identity;
  }

  /** Logs out; later reconnects do not log in again. */
  async logout(): Promise<void> {
    await this.request(logoutUserCodec, undefined);
    this.credentials = undefined;
  }

  // ── system ─────────────────────────────────────────────────────────────────────────────────────

  ping(): Promise<void> {
    return this.request(pingCodec, undefined);
  }

  getStats(): Promise<Stats> {
    return this.request(getStatsCodec, undefined);
  }

  /** The server's diagnostic snapshot: a compressed archive, as bytes. */
  getSnapshot(request: GetSnapshotRequest): Promise<Buffer> {
    return this.request(getSnapshotCodec, request);
  }

  getClusterMetadata(): Promise<ClusterMetadata> {
    return this.request(getClusterMetadataCodec, undefined);
  }

  /** This connection as the server sees it. */
  getMe(): Promise<ClientDetails> {
    return this.request(getMeCodec, undefined);
  }

  /** `null` when no such client is connected. */
  getClient(request: GetClientRequest): Promise<ClientDetails | null> {
    return this.request(getClientCodec, request);
  }

  getClients(): Promise<ClientInfo[]> {
    return this.request(getClientsCodec, undefined);
  }

  // ── streams ────────────────────────────────────────────────────────────────────────────────────

  /** `null` when the stream does not exist. */
  getStream(request: StreamTarget): Promise<StreamDetails | null> {
    return this.request(getStreamCodec, request);
  }

  getStreams(): Promise<Stream[]> {
    return this.request(getStreamsCodec, undefined);
  }

  createStream(request: CreateStreamRequest): Promise<StreamDetails> {
    return this.request(createStreamCodec, request);
  }

  updateStream(request: UpdateStreamRequest): Promise<void> {
    return this.request(updateStreamCodec, request);
  }

  deleteStream(request: StreamTarget): Promise<void> {
    return this.request(deleteStreamCodec, request);
  }

  purgeStream(request: StreamTarget): Promise<void> {
    return this.request(purgeStreamCodec, request);
  }

  // ── topics, partitions, segments ───────────────────────────────────────────────────────────────

  /** `null` when the topic does not exist. */
  getTopic(request: TopicTarget): Promise<TopicDetails | null> {
    return this.request(getTopicCodec, request);
  }

  getTopics(request: StreamTarget): Promise<Topic[]> {
    return this.request(getTopicsCodec, request);
  }

  createTopic(request: CreateTopicInput): Promise<TopicDetails> {
    return this.request(createTopicCodec, {
      compressionAlgorithm: CompressionAlgorithm.None,
      messageExpiry: 0n,
      maxTopicSize: 0n,
      replicationFactor: 1,
      ...request,
    });
  }

  updateTopic(request: UpdateTopicRequest): Promise<void> {
    return this.request(updateTopicCodec, request);
  }

  deleteTopic(request: TopicTarget): Promise<void> {
    return this.request(deleteTopicCodec, request);
  }

  purgeTopic(request: TopicTarget): Promise<void> {
    return this.request(purgeTopicCodec, request);
  }

  /** Adds partitions at the end of the topic. */
  createPartitions(request: CreatePartitionsRequest): Promise<void> {
    return this.request(createPartitionsCodec, request);
  }

  /** Removes partitions from the end of the topic. */
  deletePartitions(request: DeletePartitionsRequest): Promise<void> {
    return this.request(deletePartitionsCodec, request);
  }

  /** Deletes the oldest segments of one partition. */
  deleteSegments(request: DeleteSegmentsRequest): Promise<void> {
    return this.request(deleteSegmentsCodec, request);
  }

  // ── consumer groups ────────────────────────────────────────────────────────────────────────────

  /** `null` when the group does not exist. */
  getConsumerGroup(request: GroupTarget): Promise<ConsumerGroupDetails | null> {
    return this.request(getConsumerGroupCodec, request);
  }

  getConsumerGroups(request: TopicTarget): Promise<ConsumerGroup[]> {
    return this.request(getConsumerGroupsCodec, request);
  }

  createConsumerGroup(request: CreateConsumerGroupRequest): Promise<ConsumerGroupDetails> {
    return this.request(createConsumerGroupCodec, request);
  }

  deleteConsumerGroup(request: GroupTarget): Promise<void> {
    return this.request(deleteConsumerGroupCodec, request);
  }

  /** Joins on this connection; membership ends with the connection (rejoin after a reconnect). */
  joinConsumerGroup(request: GroupTarget): Promise<void> {
    return this.request(joinConsumerGroupCodec, request);
  }

  leaveConsumerGroup(request: GroupTarget): Promise<void> {
    return this.request(leaveConsumerGroupCodec, request);
  }

  // ── messages and offsets ─────────────────────────────────────────────────────────────────────────

  /** Appends one batch; resolves when the server acknowledged it (in memory on the server, not fsynced). */
  sendMessages(request: SendMessagesRequest): Promise<void> {
    return this.requestWith(sendMessagesCodec, request, { encode: encodeSendMessagesParts });
  }

  /** Polls messages; payloads are views into the received frame. */
  async pollMessages(request: PollInput): Promise<PollResult> {
    const polled = await this.request(pollMessagesCodec, {
      partitionId: null,
      autoCommit: false,
      ...request,
    });
    const messages = polled.messages instanceof MessageRun ? polled.messages.decode() : [...polled.messages];
    return { partitionId: polled.partitionId, currentOffset: polled.currentOffset, messages };
  }

  /**
   * Polls messages and keeps them encoded: `messages` is the validated run as received, to decode on
   * demand (`iterate()`, `decode()`) or to pass on as bytes, for consumers that need no objects.
   */
  pollMessagesRun(request: PollInput): Promise<PolledRun> {
    return this.requestWith(
      pollMessagesCodec,
      { partitionId: null, autoCommit: false, ...request },
      { decode: decodePollResponseRun },
    );
  }

  /** Writes a partition's unsaved messages to disk (and fsyncs them when `fsync`). */
  flushUnsavedBuffer(request: FlushUnsavedBufferRequest): Promise<void> {
    return this.request(flushUnsavedBufferCodec, request);
  }

  /** `null` when nothing is stored (or the stream, topic or partition is missing). */
  getOffset(request: OffsetTarget): Promise<ConsumerOffsetInfo | null> {
    return this.request(getOffsetCodec, { partitionId: null, ...request });
  }

  /** Stores the last consumed offset (inclusive). */
  storeOffset(request: Optional<StoreOffsetRequest, 'partitionId'>): Promise<void> {
    return this.request(storeOffsetCodec, { partitionId: null, ...request });
  }

  deleteConsumerOffset(request: OffsetTarget): Promise<void> {
    return this.request(deleteConsumerOffsetCodec, { partitionId: null, ...request });
  }

  // ── users ──────────────────────────────────────────────────────────────────────────────────────

  /** `null` when the user does not exist. */
  getUser(request: GetUserRequest): Promise<UserDetails | null> {
    return this.request(getUserCodec, request);
  }

  getUsers(): Promise<UserInfo[]> {
    return this.request(getUsersCodec, undefined);
  }

  createUser(request: CreateUserRequest): Promise<UserDetails> {
    return this.request(createUserCodec, request);
  }

  updateUser(request: UpdateUserRequest): Promise<void> {
    return this.request(updateUserCodec, request);
  }

  deleteUser(request: DeleteUserRequest): Promise<void> {
    return this.request(deleteUserCodec, request);
  }

  updatePermissions(request: UpdatePermissionsRequest): Promise<void> {
    return this.request(updatePermissionsCodec, request);
  }

  changePassword(request: ChangePasswordRequest): Promise<void> {
    return this.request(changePasswordCodec, request);
  }

  // ── personal access tokens ─────────────────────────────────────────────────────────────────────

  getAccessTokens(): Promise<AccessTokenInfo[]> {
    return this.request(getAccessTokensCodec, undefined);
  }

  /** The raw token is in the answer only; the server keeps a hash. */
  createAccessToken(request: CreateAccessTokenRequest): Promise<RawAccessToken> {
    return this.request(createAccessTokenCodec, request);
  }

  deleteAccessToken(request: DeleteAccessTokenRequest): Promise<void> {
    return this.request(deleteAccessTokenCodec, request);
  }
}
