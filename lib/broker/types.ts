/**
 * The records the broker's API takes and returns. Most are the protocol's own response types, so the
 * TCP adapter encodes what the broker returns without mapping; the rest are broker-only.
 */
export type { Identifier } from '../protocol/primitives/identifier.js';
export { ConsumerKind, type Consumer } from '../protocol/primitives/consumer.js';
export { PartitioningKind, type Partitioning } from '../protocol/primitives/partitioning.js';
export { PollingKind, type PollingStrategy } from '../protocol/primitives/polling-strategy.js';
export type { Stream, StreamDetails } from '../protocol/commands/streams/stream.layout.js';
export type { ConsumerOffsetInfo } from '../protocol/commands/consumer-offsets/consumer-offset.layout.js';
export {
  CompressionAlgorithm,
  type CompressionAlgorithmValue,
  type Topic,
  type TopicDetails,
  type Partition,
} from '../protocol/commands/topics/topic.layout.js';
export type {
  ConsumerGroup,
  ConsumerGroupDetails,
  ConsumerGroupMember,
} from '../protocol/commands/consumer-groups/consumer-group.layout.js';
export {
  UserStatus,
  type UserStatusValue,
  type UserInfo,
  type UserDetails,
} from '../protocol/commands/users/user.layout.js';
import type { Permissions } from '../protocol/commands/users/permissions.layout.js';
export type {
  Permissions,
  GlobalPermissions,
  StreamPermissions,
  TopicPermissions,
} from '../protocol/commands/users/permissions.layout.js';
export type { AccessTokenInfo } from '../protocol/commands/access-tokens/access-token.layout.js';
export {
  Transport,
  type TransportValue,
  type ClientInfo,
  type ClientDetails,
  type ClientConsumerGroup,
} from '../protocol/commands/clients/client.layout.js';
export type { Stats } from '../protocol/commands/system/get-stats.js';

/** u64::MAX: "never expires" / "unlimited" in topic settings and token expiry. */
export const U64_MAX = (1n << 64n) - 1n;

/** Settings of a new topic. Values as on the wire (µs, bytes; 0 = server default, u64::MAX = never/unlimited). */
export interface CreateTopicOptions {
  name: string;
  partitionsCount: number;
  /** Default 1 (none). */
  compressionAlgorithm?: number;
  /** µs. Default 0 (server default: never). */
  messageExpiry?: bigint;
  /** Bytes. Default 0 (server default: unlimited). */
  maxTopicSize?: bigint;
  /** Default 1; 0 also means 1 (the wire's "none"). */
  replicationFactor?: number;
}

/** New settings of an existing topic (all of them, as UpdateTopic carries them). */
export interface UpdateTopicOptions {
  name: string;
  compressionAlgorithm: number;
  messageExpiry: bigint;
  maxTopicSize: bigint;
  replicationFactor?: number;
}

/** What a poll returns: the partition read, its current offset, and the messages in wire layout. */
export interface PollResult {
  partitionId: number;
  /** Offset of the partition's last message (0 when it never held one). */
  currentOffset: bigint;
  count: number;
  /** `count` messages back to back in wire layout (64-byte header, payload, user headers). */
  messages: Buffer;
}

/** Where a send landed. */
export interface SendResult {
  partitionId: number;
  firstOffset: bigint;
  lastOffset: bigint;
}

/** A new user. */
export interface CreateUserOptions {
  username: string;
  password: string;
  /** Default active. */
  status?: number;
  permissions?: Permissions | null;
}

/** The raw token, shown only once. */
export interface RawAccessToken {
  token: string;
}

/** The user a login bound to the client. */
export interface IdentityInfo {
  userId: number;
}

export type { PollRequest, ConsumerOffsetRequest } from './commands/message-commands.js';
export type { ConsumerGroupView, GroupMemberView } from './commands/views.js';
export type { RetentionReport } from './partitions/retention.js';
