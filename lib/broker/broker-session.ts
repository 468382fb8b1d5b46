import type {
  CreateAccessTokenRequest,
  DeleteAccessTokenRequest,
} from '../protocol/commands/access-tokens/index.js';
import type { GetClientRequest } from '../protocol/commands/clients/index.js';
import type { CreateConsumerGroupRequest, GroupTarget } from '../protocol/commands/consumer-groups/index.js';
import type {
  FlushUnsavedBufferRequest,
  PolledRun,
  SendMessagesRequest,
} from '../protocol/commands/messages/index.js';
import type {
  CreatePartitionsRequest,
  DeletePartitionsRequest,
} from '../protocol/commands/partitions/index.js';
import type { DeleteSegmentsRequest } from '../protocol/commands/segments/index.js';
import type {
  CreateStreamRequest,
  StreamTarget,
  UpdateStreamRequest,
} from '../protocol/commands/streams/index.js';
import type { TopicTarget, UpdateTopicRequest } from '../protocol/commands/topics/index.js';
import type {
  ChangePasswordRequest,
  CreateUserRequest,
  DeleteUserRequest,
  GetUserRequest,
  UpdatePermissionsRequest,
  UpdateUserRequest,
} from '../protocol/commands/users/index.js';
import type {
  CreateTopicInput,
  IggySession,
  OffsetTarget,
  PollInput,
  DecodedPollResult,
  StoreOffsetInput,
} from '../protocol/iggy-session.js';
import { MessageRun } from '../protocol/messages/message-run.js';
import { decodeMessages } from '../protocol/messages/message-decode.js';
import type { Broker } from './broker.js';
import type { AppendListener } from './partitions/append-signals.js';
import type {
  AccessTokenInfo,
  ClientDetails,
  ClientInfo,
  ConsumerGroup,
  ConsumerGroupView,
  ConsumerOffsetInfo,
  IdentityInfo,
  RawAccessToken,
  Stats,
  Stream,
  StreamDetails,
  Topic,
  TopicDetails,
  UserDetails,
  UserInfo,
} from './types.js';

/**
 * One client of the broker, in process: `IggyClient`'s commands (`IggySession`: the protocol's request
 * records in, the same results out, refusals as `IggyError`s — here `BrokerError`s) run on the broker
 * directly, with no socket and no re-encoding: a send stores the run it is given, a poll answers the bytes
 * read from the log. The TCP adapter serves each connection through one; the embedded connector opens its
 * own (`Broker.openSession`). Beyond the protocol, `onAppend` wakes an idle reader when messages arrive.
 * `close` disconnects the client, which leaves its groups.
 */
export class BrokerSession implements IggySession {
  private closed = false;

  constructor(
    private readonly broker: Broker,
    /** The broker's id of this client (`Broker.connectClient`, `connectInternalClient`). */
    readonly clientId: number,
  ) {}

  // ── session ────────────────────────────────────────────────────────────────────────────────────

  /** `clientVersion`: LoginUser's `version` (a client asking for 0.7 answers, see `BrokerConfig.serverVersion`). */
  async login(username: string, password: string, clientVersion?: string): Promise<IdentityInfo> {
    return this.broker.loginUser(this.clientId, username, password, clientVersion);
  }

  async loginWithToken(token: string): Promise<IdentityInfo> {
    return this.broker.loginWithAccessToken(this.clientId, token);
  }

  async logout(): Promise<void> {
    this.broker.logoutUser(this.clientId);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.broker.disconnectClient(this.clientId);
  }

  /**
   * In-process only (the protocol has no push): calls `listener(partitionId)` after every append to the
   * topic (see `Broker.onAppend`); returns a function that stops it.
   */
  onAppend(target: TopicTarget, listener: AppendListener): () => void {
    return this.broker.onAppend(target.streamId, target.topicId, listener);
  }

  // ── system ─────────────────────────────────────────────────────────────────────────────────────

  /** Answered at once, logged in or not (as the real server's Ping). */
  async ping(): Promise<void> {}

  async getStats(): Promise<Stats> {
    return this.broker.getStats(this.clientId);
  }

  async getMe(): Promise<ClientDetails> {
    return this.broker.getMe(this.clientId);
  }

  async getClient(request: GetClientRequest): Promise<ClientDetails | null> {
    return this.broker.getClient(this.clientId, request.clientId);
  }

  async getClients(): Promise<ClientInfo[]> {
    return this.broker.getClients(this.clientId);
  }

  // ── streams ────────────────────────────────────────────────────────────────────────────────────

  async getStream(request: StreamTarget): Promise<StreamDetails | null> {
    return this.broker.getStream(this.clientId, request.streamId);
  }

  async getStreams(): Promise<Stream[]> {
    return this.broker.getStreams(this.clientId);
  }

  createStream(request: CreateStreamRequest): Promise<StreamDetails> {
    return this.broker.createStream(this.clientId, request.name);
  }

  updateStream(request: UpdateStreamRequest): Promise<void> {
    return this.broker.updateStream(this.clientId, request.streamId, request.name);
  }

  deleteStream(request: StreamTarget): Promise<void> {
    return this.broker.deleteStream(this.clientId, request.streamId);
  }

  purgeStream(request: StreamTarget): Promise<void> {
    return this.broker.purgeStream(this.clientId, request.streamId);
  }

  // ── topics, partitions, segments ───────────────────────────────────────────────────────────────

  async getTopic(request: TopicTarget): Promise<TopicDetails | null> {
    return this.broker.getTopic(this.clientId, request.streamId, request.topicId);
  }

  async getTopics(request: StreamTarget): Promise<Topic[]> {
    return this.broker.getTopics(this.clientId, request.streamId);
  }

  /** Left-out settings take the server's defaults. */
  createTopic({ streamId, ...options }: CreateTopicInput): Promise<TopicDetails> {
    return this.broker.createTopic(this.clientId, streamId, options);
  }

  updateTopic({ streamId, topicId, ...options }: UpdateTopicRequest): Promise<void> {
    return this.broker.updateTopic(this.clientId, streamId, topicId, options);
  }

  deleteTopic(request: TopicTarget): Promise<void> {
    return this.broker.deleteTopic(this.clientId, request.streamId, request.topicId);
  }

  purgeTopic(request: TopicTarget): Promise<void> {
    return this.broker.purgeTopic(this.clientId, request.streamId, request.topicId);
  }

  async createPartitions(request: CreatePartitionsRequest): Promise<void> {
    const { streamId, topicId, partitionsCount } = request;
    await this.broker.createPartitions(this.clientId, streamId, topicId, partitionsCount);
  }

  async deletePartitions(request: DeletePartitionsRequest): Promise<void> {
    const { streamId, topicId, partitionsCount } = request;
    await this.broker.deletePartitions(this.clientId, streamId, topicId, partitionsCount);
  }

  deleteSegments(request: DeleteSegmentsRequest): Promise<void> {
    const { streamId, topicId, partitionId, segmentsCount } = request;
    return this.broker.deleteSegments(this.clientId, streamId, topicId, partitionId, segmentsCount);
  }

  // ── consumer groups ────────────────────────────────────────────────────────────────────────────

  async getConsumerGroup(request: GroupTarget): Promise<ConsumerGroupView | null> {
    return this.broker.getConsumerGroup(this.clientId, request.streamId, request.topicId, request.groupId);
  }

  async getConsumerGroups(request: TopicTarget): Promise<ConsumerGroup[]> {
    return this.broker.getConsumerGroups(this.clientId, request.streamId, request.topicId);
  }

  createConsumerGroup(request: CreateConsumerGroupRequest): Promise<ConsumerGroupView> {
    return this.broker.createConsumerGroup(this.clientId, request.streamId, request.topicId, request.name);
  }

  deleteConsumerGroup(request: GroupTarget): Promise<void> {
    return this.broker.deleteConsumerGroup(this.clientId, request.streamId, request.topicId, request.groupId);
  }

  async joinConsumerGroup(request: GroupTarget): Promise<void> {
    this.broker.joinConsumerGroup(this.clientId, request.streamId, request.topicId, request.groupId);
  }

  async leaveConsumerGroup(request: GroupTarget): Promise<void> {
    this.broker.leaveConsumerGroup(this.clientId, request.streamId, request.topicId, request.groupId);
  }

  // ── messages and offsets ─────────────────────────────────────────────────────────────────────────

  /**
   * Stamps and appends the batch; messages given as objects are encoded once. Started synchronously, so
   * sends keep call order.
   */
  async sendMessages(request: SendMessagesRequest): Promise<void> {
    const run =
      request.messages instanceof MessageRun ? request.messages : MessageRun.encode(request.messages);
    const { streamId, topicId, partitioning } = request;
    await this.broker.sendMessages(this.clientId, streamId, topicId, partitioning, run.bytes, run.count);
  }

  /** Payloads are views into the bytes read from the log. */
  async pollMessages(request: PollInput): Promise<DecodedPollResult> {
    const { partitionId, currentOffset, messages } = await this.pollMessagesRun(request);
    return {
      partitionId,
      currentOffset,
      messages: messages.count === 0 ? [] : decodeMessages(messages.bytes, messages.count),
    };
  }

  /** The run is the bytes read from the log, as the TCP adapter sends them. */
  async pollMessagesRun(request: PollInput): Promise<PolledRun> {
    const result = await this.broker.pollMessages(this.clientId, {
      partitionId: null,
      autoCommit: false,
      ...request,
    });
    return {
      partitionId: result.partitionId,
      currentOffset: result.currentOffset,
      messages: new MessageRun(result.messages, result.count),
    };
  }

  flushUnsavedBuffer(request: FlushUnsavedBufferRequest): Promise<void> {
    const { streamId, topicId, partitionId, fsync } = request;
    return this.broker.flushUnsavedBuffer(this.clientId, streamId, topicId, partitionId, fsync);
  }

  async getOffset(request: OffsetTarget): Promise<ConsumerOffsetInfo | null> {
    return this.broker.getConsumerOffset(this.clientId, { partitionId: null, ...request });
  }

  storeOffset(request: StoreOffsetInput): Promise<void> {
    return this.broker.storeConsumerOffset(this.clientId, { partitionId: null, ...request });
  }

  deleteConsumerOffset(request: OffsetTarget): Promise<void> {
    return this.broker.deleteConsumerOffset(this.clientId, { partitionId: null, ...request });
  }

  // ── users and personal access tokens ─────────────────────────────────────────────────────────────

  async getUser(request: GetUserRequest): Promise<UserDetails | null> {
    return this.broker.getUser(this.clientId, request.userId);
  }

  async getUsers(): Promise<UserInfo[]> {
    return this.broker.getUsers(this.clientId);
  }

  createUser(request: CreateUserRequest): Promise<UserDetails> {
    return this.broker.createUser(this.clientId, { ...request, permissions: request.permissions ?? null });
  }

  async updateUser(request: UpdateUserRequest): Promise<void> {
    const changes = { username: request.username ?? null, status: request.status ?? null };
    await this.broker.updateUser(this.clientId, request.userId, changes);
  }

  deleteUser(request: DeleteUserRequest): Promise<void> {
    return this.broker.deleteUser(this.clientId, request.userId);
  }

  updatePermissions(request: UpdatePermissionsRequest): Promise<void> {
    return this.broker.updatePermissions(this.clientId, request.userId, request.permissions ?? null);
  }

  changePassword(request: ChangePasswordRequest): Promise<void> {
    const { userId, currentPassword, newPassword } = request;
    return this.broker.changePassword(this.clientId, userId, currentPassword, newPassword);
  }

  async getAccessTokens(): Promise<AccessTokenInfo[]> {
    return this.broker.getAccessTokens(this.clientId);
  }

  createAccessToken(request: CreateAccessTokenRequest): Promise<RawAccessToken> {
    return this.broker.createAccessToken(this.clientId, request.name, request.expiry);
  }

  deleteAccessToken(request: DeleteAccessTokenRequest): Promise<void> {
    return this.broker.deleteAccessToken(this.clientId, request.name);
  }
}
