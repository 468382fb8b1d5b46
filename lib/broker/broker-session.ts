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
import type { BrokerState } from './broker-state.js';
import * as catalogCommands from './commands/catalog-commands.js';
import * as groupCommands from './commands/group-commands.js';
import * as messageCommands from './commands/message-commands.js';
import * as systemCommands from './commands/system-commands.js';
import * as userCommands from './commands/user-commands.js';
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
    private readonly state: BrokerState,
    /** The broker's id of this client (`Broker.connect`, `Broker.openSession`). */
    readonly clientId: number,
  ) {}

  // ── session ────────────────────────────────────────────────────────────────────────────────────

  /** `clientVersion`: LoginUser's `version` (a client asking for 0.7 answers, see `BrokerConfig.serverVersion`). */
  async login(username: string, password: string, clientVersion?: string): Promise<IdentityInfo> {
    return userCommands.loginUser(this.state, this.clientId, username, password, clientVersion);
  }

  async loginWithToken(token: string): Promise<IdentityInfo> {
    return userCommands.loginWithAccessToken(this.state, this.clientId, token);
  }

  async logout(): Promise<void> {
    userCommands.logoutUser(this.state, this.clientId);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    systemCommands.disconnectClient(this.state, this.clientId);
  }

  /**
   * In-process only (the protocol has no push): calls `listener(partitionId)` after every append to a
   * partition of the topic (the messages are readable by then), so a reader can wait for data instead of
   * polling on a timer; returns a function that stops it. The listener stays with the topic it was added
   * to (a topic deleted and created again needs a new one); it must not block, and one that throws is
   * ignored. StreamIdNotFound / TopicIdNotFound when the topic does not exist.
   */
  onAppend(target: TopicTarget, listener: AppendListener): () => void {
    const [, topic] = this.state.catalog.topic(target.streamId, target.topicId);
    return this.state.messaging.appends.listen(topic, listener);
  }

  /**
   * The partitions this client's polls without a partition id rotate over, as a member of the group
   * (its own, less those it is handing over); undefined when it is not a member.
   */
  pollablePartitions(target: GroupTarget): readonly number[] | undefined {
    return groupCommands.pollablePartitions(this.state, this.clientId, target);
  }

  // ── system ─────────────────────────────────────────────────────────────────────────────────────

  /** Answered at once, logged in or not (as the real server's Ping). */
  async ping(): Promise<void> {}

  async getStats(): Promise<Stats> {
    return systemCommands.getStats(this.state, this.clientId);
  }

  async getMe(): Promise<ClientDetails> {
    return systemCommands.getMe(this.state, this.clientId);
  }

  async getClient(request: GetClientRequest): Promise<ClientDetails | null> {
    return systemCommands.getClient(this.state, this.clientId, request.clientId);
  }

  async getClients(): Promise<ClientInfo[]> {
    return systemCommands.getClients(this.state, this.clientId);
  }

  // ── streams ────────────────────────────────────────────────────────────────────────────────────

  async getStream(request: StreamTarget): Promise<StreamDetails | null> {
    return catalogCommands.getStream(this.state, this.clientId, request);
  }

  async getStreams(): Promise<Stream[]> {
    return catalogCommands.getStreams(this.state, this.clientId);
  }

  createStream(request: CreateStreamRequest): Promise<StreamDetails> {
    return catalogCommands.createStream(this.state, this.clientId, request);
  }

  updateStream(request: UpdateStreamRequest): Promise<void> {
    return catalogCommands.updateStream(this.state, this.clientId, request);
  }

  deleteStream(request: StreamTarget): Promise<void> {
    return catalogCommands.deleteStream(this.state, this.clientId, request);
  }

  purgeStream(request: StreamTarget): Promise<void> {
    return catalogCommands.purgeStream(this.state, this.clientId, request);
  }

  // ── topics, partitions, segments ───────────────────────────────────────────────────────────────

  async getTopic(request: TopicTarget): Promise<TopicDetails | null> {
    return catalogCommands.getTopic(this.state, this.clientId, request);
  }

  async getTopics(request: StreamTarget): Promise<Topic[]> {
    return catalogCommands.getTopics(this.state, this.clientId, request);
  }

  /** Left-out settings take the server's defaults. */
  createTopic({ streamId, ...options }: CreateTopicInput): Promise<TopicDetails> {
    return catalogCommands.createTopic(this.state, this.clientId, streamId, options);
  }

  updateTopic({ streamId, topicId, ...options }: UpdateTopicRequest): Promise<void> {
    return catalogCommands.updateTopic(this.state, this.clientId, streamId, topicId, options);
  }

  deleteTopic(request: TopicTarget): Promise<void> {
    return catalogCommands.deleteTopic(this.state, this.clientId, request);
  }

  purgeTopic(request: TopicTarget): Promise<void> {
    return catalogCommands.purgeTopic(this.state, this.clientId, request);
  }

  async createPartitions(request: CreatePartitionsRequest): Promise<void> {
    await catalogCommands.createPartitions(this.state, this.clientId, request);
  }

  async deletePartitions(request: DeletePartitionsRequest): Promise<void> {
    await catalogCommands.deletePartitions(this.state, this.clientId, request);
  }

  deleteSegments(request: DeleteSegmentsRequest): Promise<void> {
    return catalogCommands.deleteSegments(this.state, this.clientId, request);
  }

  // ── consumer groups ────────────────────────────────────────────────────────────────────────────

  async getConsumerGroup(request: GroupTarget): Promise<ConsumerGroupView | null> {
    return groupCommands.getConsumerGroup(this.state, this.clientId, request);
  }

  async getConsumerGroups(request: TopicTarget): Promise<ConsumerGroup[]> {
    return groupCommands.getConsumerGroups(this.state, this.clientId, request);
  }

  createConsumerGroup(request: CreateConsumerGroupRequest): Promise<ConsumerGroupView> {
    return groupCommands.createConsumerGroup(this.state, this.clientId, request);
  }

  deleteConsumerGroup(request: GroupTarget): Promise<void> {
    return groupCommands.deleteConsumerGroup(this.state, this.clientId, request);
  }

  async joinConsumerGroup(request: GroupTarget): Promise<void> {
    groupCommands.joinConsumerGroup(this.state, this.clientId, request);
  }

  async leaveConsumerGroup(request: GroupTarget): Promise<void> {
    groupCommands.leaveConsumerGroup(this.state, this.clientId, request);
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
    await messageCommands.sendMessages(
      this.state,
      this.clientId,
      streamId,
      topicId,
      partitioning,
      run.bytes,
      run.count,
    );
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
    const result = await messageCommands.pollMessages(this.state, this.clientId, {
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
    return messageCommands.flushUnsavedBuffer(
      this.state,
      this.clientId,
      streamId,
      topicId,
      partitionId,
      fsync,
    );
  }

  async getOffset(request: OffsetTarget): Promise<ConsumerOffsetInfo | null> {
    return messageCommands.getConsumerOffset(this.state, this.clientId, { partitionId: null, ...request });
  }

  storeOffset(request: StoreOffsetInput): Promise<void> {
    return messageCommands.storeConsumerOffset(this.state, this.clientId, { partitionId: null, ...request });
  }

  deleteConsumerOffset(request: OffsetTarget): Promise<void> {
    return messageCommands.deleteConsumerOffset(this.state, this.clientId, { partitionId: null, ...request });
  }

  // ── users and personal access tokens ─────────────────────────────────────────────────────────────

  async getUser(request: GetUserRequest): Promise<UserDetails | null> {
    return userCommands.getUser(this.state, this.clientId, request.userId);
  }

  async getUsers(): Promise<UserInfo[]> {
    return userCommands.getUsers(this.state, this.clientId);
  }

  createUser(request: CreateUserRequest): Promise<UserDetails> {
    return userCommands.createUser(this.state, this.clientId, {
      ...request,
      permissions: request.permissions ?? null,
    });
  }

  async updateUser(request: UpdateUserRequest): Promise<void> {
    const changes = { username: request.username ?? null, status: request.status ?? null };
    await userCommands.updateUser(this.state, this.clientId, request.userId, changes);
  }

  deleteUser(request: DeleteUserRequest): Promise<void> {
    return userCommands.deleteUser(this.state, this.clientId, request.userId);
  }

  updatePermissions(request: UpdatePermissionsRequest): Promise<void> {
    return userCommands.updatePermissions(
      this.state,
      this.clientId,
      request.userId,
      request.permissions ?? null,
    );
  }

  changePassword(request: ChangePasswordRequest): Promise<void> {
    const { userId, currentPassword, newPassword } = request;
    return userCommands.changePassword(this.state, this.clientId, userId, currentPassword, newPassword);
  }

  async getAccessTokens(): Promise<AccessTokenInfo[]> {
    return userCommands.getAccessTokens(this.state, this.clientId);
  }

  createAccessToken(request: CreateAccessTokenRequest): Promise<RawAccessToken> {
    return userCommands.createAccessToken(this.state, this.clientId, request.name, request.expiry);
  }

  deleteAccessToken(request: DeleteAccessTokenRequest): Promise<void> {
    return userCommands.deleteAccessToken(this.state, this.clientId, request.name);
  }
}
