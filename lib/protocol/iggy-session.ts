import type {
  AccessTokenInfo,
  CreateAccessTokenRequest,
  DeleteAccessTokenRequest,
  RawAccessToken,
} from './commands/access-tokens/index.js';
import type { ClientDetails, ClientInfo, GetClientRequest } from './commands/clients/index.js';
import type {
  ConsumerGroup,
  ConsumerGroupDetails,
  CreateConsumerGroupRequest,
  GroupTarget,
} from './commands/consumer-groups/index.js';
import type {
  ConsumerOffsetInfo,
  ConsumerOffsetTarget,
  StoreOffsetRequest,
} from './commands/consumer-offsets/index.js';
import type {
  FlushUnsavedBufferRequest,
  PollMessagesRequest,
  PolledRun,
  SendMessagesRequest,
} from './commands/messages/index.js';
import type { CreatePartitionsRequest, DeletePartitionsRequest } from './commands/partitions/index.js';
import type { DeleteSegmentsRequest } from './commands/segments/index.js';
import type { IdentityInfo } from './commands/session/index.js';
import type {
  CreateStreamRequest,
  Stream,
  StreamDetails,
  StreamTarget,
  UpdateStreamRequest,
} from './commands/streams/index.js';
import type { Stats } from './commands/system/index.js';
import type {
  CreateTopicRequest,
  Topic,
  TopicDetails,
  TopicTarget,
  UpdateTopicRequest,
} from './commands/topics/index.js';
import type {
  ChangePasswordRequest,
  CreateUserRequest,
  DeleteUserRequest,
  GetUserRequest,
  UpdatePermissionsRequest,
  UpdateUserRequest,
  UserDetails,
  UserInfo,
} from './commands/users/index.js';
import type { PolledMessage } from './messages/message-batch.js';

type Optional<T, K extends keyof T> = Omit<T, K> & Partial<Pick<T, K>>;

/** CreateTopic with defaults: no compression, server-default expiry and size, replication factor 1. */
export type CreateTopicInput = Optional<
  CreateTopicRequest,
  'compressionAlgorithm' | 'messageExpiry' | 'maxTopicSize' | 'replicationFactor'
>;

/** Offset commands with the partition optional (`null`/absent: the server picks, as for group members). */
export type OffsetTarget = Optional<ConsumerOffsetTarget, 'partitionId'>;

/** StoreConsumerOffset with the partition optional (see `OffsetTarget`). */
export type StoreOffsetInput = Optional<StoreOffsetRequest, 'partitionId'>;

/** PollMessages with the partition optional and auto-commit off by default. */
export type PollInput = Optional<PollMessagesRequest, 'partitionId' | 'autoCommit'>;

/** A poll's answer with the messages decoded. */
export interface DecodedPollResult {
  /** 0-based partition the messages come from. */
  partitionId: number;
  /** The partition's current (last) offset. */
  currentOffset: bigint;
  messages: PolledMessage[];
}

/**
 * A session with Iggy, one method per command: the protocol's request record in, its result out; a
 * refusal rejects with `IggyError` (the server's code). `IggyClient` (a connection to a server, over TCP
 * or HTTP) and the embedded broker's `BrokerSession` (in process, no socket) both implement it, so code
 * over a session does not know which it has. Group membership belongs to the session.
 */
export interface IggySession {
  /** Logs in (the session's user until `logout`). */
  login(username: string, password: string): Promise<IdentityInfo>;
  loginWithToken(token: string): Promise<IdentityInfo>;
  logout(): Promise<void>;
  /** Ends the session: it leaves every group it joined. */
  close(): Promise<void>;

  ping(): Promise<void>;
  getStats(): Promise<Stats>;
  /** This session as the server sees it. */
  getMe(): Promise<ClientDetails>;
  /** `null` when no such client is connected. */
  getClient(request: GetClientRequest): Promise<ClientDetails | null>;
  getClients(): Promise<ClientInfo[]>;

  /** `null` when the stream does not exist. */
  getStream(request: StreamTarget): Promise<StreamDetails | null>;
  getStreams(): Promise<Stream[]>;
  createStream(request: CreateStreamRequest): Promise<StreamDetails>;
  updateStream(request: UpdateStreamRequest): Promise<void>;
  deleteStream(request: StreamTarget): Promise<void>;
  purgeStream(request: StreamTarget): Promise<void>;

  /** `null` when the topic does not exist. */
  getTopic(request: TopicTarget): Promise<TopicDetails | null>;
  getTopics(request: StreamTarget): Promise<Topic[]>;
  createTopic(request: CreateTopicInput): Promise<TopicDetails>;
  updateTopic(request: UpdateTopicRequest): Promise<void>;
  deleteTopic(request: TopicTarget): Promise<void>;
  purgeTopic(request: TopicTarget): Promise<void>;
  /** Adds partitions at the end of the topic. */
  createPartitions(request: CreatePartitionsRequest): Promise<void>;
  /** Removes partitions from the end of the topic. */
  deletePartitions(request: DeletePartitionsRequest): Promise<void>;
  /** Deletes the oldest segments of one partition. */
  deleteSegments(request: DeleteSegmentsRequest): Promise<void>;

  /** `null` when the group does not exist. */
  getConsumerGroup(request: GroupTarget): Promise<ConsumerGroupDetails | null>;
  getConsumerGroups(request: TopicTarget): Promise<ConsumerGroup[]>;
  createConsumerGroup(request: CreateConsumerGroupRequest): Promise<ConsumerGroupDetails>;
  deleteConsumerGroup(request: GroupTarget): Promise<void>;
  /** Joins as this session; membership ends with it. */
  joinConsumerGroup(request: GroupTarget): Promise<void>;
  leaveConsumerGroup(request: GroupTarget): Promise<void>;

  /** Appends one batch to the partition `partitioning` picks. */
  sendMessages(request: SendMessagesRequest): Promise<void>;
  /** Polls messages, decoded (payloads may be views into the bytes read). */
  pollMessages(request: PollInput): Promise<DecodedPollResult>;
  /** Polls messages and keeps them encoded: a validated run, to decode on demand or pass on as bytes. */
  pollMessagesRun(request: PollInput): Promise<PolledRun>;
  /** Writes a partition's unsaved messages to disk (and fsyncs them when `fsync`). */
  flushUnsavedBuffer(request: FlushUnsavedBufferRequest): Promise<void>;
  /** `null` when nothing is stored (or the stream, topic or partition is missing). */
  getOffset(request: OffsetTarget): Promise<ConsumerOffsetInfo | null>;
  /** Stores the last consumed offset (inclusive). */
  storeOffset(request: StoreOffsetInput): Promise<void>;
  deleteConsumerOffset(request: OffsetTarget): Promise<void>;

  /** `null` when the user does not exist. */
  getUser(request: GetUserRequest): Promise<UserDetails | null>;
  getUsers(): Promise<UserInfo[]>;
  createUser(request: CreateUserRequest): Promise<UserDetails>;
  updateUser(request: UpdateUserRequest): Promise<void>;
  deleteUser(request: DeleteUserRequest): Promise<void>;
  updatePermissions(request: UpdatePermissionsRequest): Promise<void>;
  changePassword(request: ChangePasswordRequest): Promise<void>;

  getAccessTokens(): Promise<AccessTokenInfo[]>;
  /** The raw token is in the answer only; the server keeps a hash. */
  createAccessToken(request: CreateAccessTokenRequest): Promise<RawAccessToken>;
  deleteAccessToken(request: DeleteAccessTokenRequest): Promise<void>;
}
