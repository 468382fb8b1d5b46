import { BrokerError } from '../broker-error.js';
import { GroupMembership } from './group-membership.js';
import { Slab, type SlabSnapshot } from './slab.js';
import {
  CompressionAlgorithm,
  U64_MAX,
  type CreateTopicOptions,
  type Identifier,
  type UpdateTopicOptions,
} from '../types.js';

export interface PartitionState {
  /** µs since the epoch. */
  createdAt: bigint;
}

export interface GroupState {
  id: number;
  name: string;
  membership: GroupMembership;
}

export interface TopicState {
  id: number;
  name: string;
  createdAt: bigint;
  /** µs; u64::MAX = never. Create resolves 0 to the server default; update stores what it is given. */
  messageExpiry: bigint;
  compressionAlgorithm: number;
  /** Bytes; u64::MAX = unlimited. */
  maxTopicSize: bigint;
  replicationFactor: number;
  /** Index = partition id (0-based). */
  partitions: PartitionState[];
  groups: Slab<GroupState>;
  /** Balanced partitioning: the next partition, advanced once per batch. */
  roundRobin: number;
}

export interface StreamState {
  id: number;
  name: string;
  createdAt: bigint;
  topics: Slab<TopicState>;
}

const MAX_PARTITIONS = 1000;
const MAX_NAME_BYTES = 255;

/**
 * Streams, their topics, partitions and consumer-group definitions: the metadata the real server keeps
 * in its state log. Ids come from slabs, like the real server's (0-based, freed ids reused LIFO).
 * Lookups by a missing numeric id or name answer StreamIdNotFound / TopicIdNotFound /
 * ConsumerGroupIdNotFound, as the real server does for both kinds of identifier.
 */
export class Catalog {
  streams = new Slab<StreamState>();

  constructor(private readonly segmentSizeBytes: number) {}

  findStream(id: Identifier): StreamState | undefined {
    if (typeof id === 'number') return this.streams.get(id);
    return this.streams.find((s) => s.name === id);
  }

  stream(id: Identifier): StreamState {
    const stream = this.findStream(id);
    if (!stream) throw BrokerError.of('StreamIdNotFound', `stream ${fmt(id)} does not exist`);
    return stream;
  }

  findTopic(stream: StreamState, id: Identifier): TopicState | undefined {
    if (typeof id === 'number') return stream.topics.get(id);
    return stream.topics.find((t) => t.name === id);
  }

  topic(streamId: Identifier, topicId: Identifier): [StreamState, TopicState] {
    const stream = this.stream(streamId);
    const topic = this.findTopic(stream, topicId);
    if (!topic) {
      throw BrokerError.of(
        'TopicIdNotFound',
        `topic ${fmt(topicId)} does not exist in stream ${fmt(streamId)}`,
      );
    }
    return [stream, topic];
  }

  findGroup(topic: TopicState, id: Identifier): GroupState | undefined {
    if (typeof id === 'number') return topic.groups.get(id);
    return topic.groups.find((g) => g.name === id);
  }

  group(topic: TopicState, id: Identifier): GroupState {
    const group = this.findGroup(topic, id);
    if (!group) {
      throw BrokerError.of(
        'ConsumerGroupIdNotFound',
        `consumer group ${fmt(id)} does not exist in topic ${topic.id}`,
      );
    }
    return group;
  }

  /** The partition, or PartitionNotFound (3007). */
  partition(stream: StreamState, topic: TopicState, partitionId: number): PartitionState {
    const partition = Number.isInteger(partitionId) ? topic.partitions[partitionId] : undefined;
    if (!partition) {
      throw BrokerError.of(
        'PartitionNotFound',
        `partition ${partitionId} does not exist in topic ${topic.id} of stream ${stream.id}`,
      );
    }
    return partition;
  }

  createStream(name: string, now: bigint): StreamState {
    checkName(name, 'InvalidStreamName', 'stream');
    if (this.findStream(name))
      throw BrokerError.of('StreamNameAlreadyExists', `stream '${name}' already exists`);
    const stream: StreamState = { id: this.streams.vacantKey(), name, createdAt: now, topics: new Slab() };
    this.streams.insert(stream);
    return stream;
  }

  renameStream(stream: StreamState, name: string): void {
    checkName(name, 'InvalidStreamName', 'stream');
    const other = this.findStream(name);
    if (other && other !== stream)
      throw BrokerError.of('StreamNameAlreadyExists', `stream '${name}' already exists`);
    stream.name = name;
  }

  deleteStream(stream: StreamState): void {
    this.streams.remove(stream.id);
  }

  /** Validates a new topic's settings; returns the id it will get. */
  checkNewTopic(stream: StreamState, options: CreateTopicOptions): number {
    checkName(options.name, 'InvalidTopicName', 'topic');
    checkPartitionsCount(options.partitionsCount, 0);
    checkCompression(options.compressionAlgorithm ?? CompressionAlgorithm.None);
    const maxTopicSize = options.maxTopicSize ?? 0n;
    if (maxTopicSize !== 0n && maxTopicSize < BigInt(this.segmentSizeBytes)) {
      throw BrokerError.of(
        'InvalidTopicSize',
        `max topic size ${maxTopicSize} B is below the segment size ${this.segmentSizeBytes} B`,
      );
    }
    if (this.findTopic(stream, options.name)) {
      throw BrokerError.of(
        'TopicNameAlreadyExists',
        `topic '${options.name}' already exists in stream ${stream.id}`,
      );
    }
    return stream.topics.vacantKey();
  }

  /**
   * Creates the topic with its partitions. Resolves message expiry 0 to the server default (never) and
   * max topic size 0 to the default (unlimited); rejects a max size below the segment size, as the real
   * server does.
   */
  createTopic(stream: StreamState, options: CreateTopicOptions, now: bigint): TopicState {
    this.checkNewTopic(stream, options);
    const compression = checkCompression(options.compressionAlgorithm ?? CompressionAlgorithm.None);
    const maxTopicSize = options.maxTopicSize ?? 0n;
    const expiry = options.messageExpiry ?? 0n;
    const topic: TopicState = {
      id: stream.topics.vacantKey(),
      name: options.name,
      createdAt: now,
      messageExpiry: expiry === 0n ? U64_MAX : expiry,
      compressionAlgorithm: compression,
      maxTopicSize: maxTopicSize === 0n ? U64_MAX : maxTopicSize,
      replicationFactor: options.replicationFactor || 1,
      partitions: [],
      groups: new Slab(),
      roundRobin: 0,
    };
    stream.topics.insert(topic);
    this.addPartitions(topic, options.partitionsCount, now);
    return topic;
  }

  updateTopic(stream: StreamState, topic: TopicState, options: UpdateTopicOptions): void {
    checkName(options.name, 'InvalidTopicName', 'topic');
    const compression = checkCompression(options.compressionAlgorithm);
    const other = this.findTopic(stream, options.name);
    if (other && other !== topic) {
      throw BrokerError.of(
        'TopicNameAlreadyExists',
        `topic '${options.name}' already exists in stream ${stream.id}`,
      );
    }
    topic.name = options.name;
    topic.messageExpiry = options.messageExpiry;
    topic.compressionAlgorithm = compression;
    topic.maxTopicSize = options.maxTopicSize;
    topic.replicationFactor = options.replicationFactor || 1;
  }

  deleteTopic(stream: StreamState, topic: TopicState): void {
    stream.topics.remove(topic.id);
  }

  /** Appends `count` partitions; returns their ids. Groups are re-dealt by the caller. */
  addPartitions(topic: TopicState, count: number, now: bigint): number[] {
    const first = topic.partitions.length;
    for (let i = 0; i < count; i++) topic.partitions.push({ createdAt: now });
    for (const g of topic.groups.values()) g.membership.setPartitionsCount(topic.partitions.length);
    return Array.from({ length: count }, (_, i) => first + i);
  }

  /** Removes the last `count` partitions; returns their ids. */
  removePartitions(topic: TopicState, count: number): number[] {
    if (count > topic.partitions.length) {
      throw BrokerError.of(
        'InvalidPartitionsCount',
        `cannot delete ${count} partitions from topic ${topic.id}, it has ${topic.partitions.length}`,
      );
    }
    const keep = topic.partitions.length - count;
    topic.partitions.length = keep;
    for (const g of topic.groups.values()) g.membership.setPartitionsCount(keep);
    return Array.from({ length: count }, (_, i) => keep + i);
  }

  createGroup(topic: TopicState, name: string): GroupState {
    checkName(name, 'InvalidConsumerGroupName', 'consumer group');
    if (this.findGroup(topic, name)) {
      throw BrokerError.of(
        'ConsumerGroupNameAlreadyExists',
        `consumer group '${name}' already exists in topic ${topic.id}`,
      );
    }
    const group: GroupState = {
      id: topic.groups.vacantKey(),
      name,
      membership: new GroupMembership(topic.partitions.map((_, i) => i)),
    };
    topic.groups.insert(group);
    return group;
  }

  deleteGroup(topic: TopicState, group: GroupState): void {
    topic.groups.remove(group.id);
  }

  snapshot(): CatalogSnapshot {
    return this.streams.snapshot((s) => ({
      name: s.name,
      createdAt: s.createdAt.toString(),
      topics: s.topics.snapshot((t) => ({
        name: t.name,
        createdAt: t.createdAt.toString(),
        messageExpiry: t.messageExpiry.toString(),
        compressionAlgorithm: t.compressionAlgorithm,
        maxTopicSize: t.maxTopicSize.toString(),
        replicationFactor: t.replicationFactor,
        partitions: t.partitions.map((p) => p.createdAt.toString()),
        groups: t.groups.snapshot((g) => g.name),
      })),
    }));
  }

  restore(snapshot: CatalogSnapshot): void {
    this.streams = Slab.restore(snapshot, (s, id) => ({
      id,
      name: s.name,
      createdAt: BigInt(s.createdAt),
      topics: Slab.restore(s.topics, (t, topicId) => {
        const partitionIds = t.partitions.map((_, i) => i);
        return {
          id: topicId,
          name: t.name,
          createdAt: BigInt(t.createdAt),
          messageExpiry: BigInt(t.messageExpiry),
          compressionAlgorithm: t.compressionAlgorithm,
          maxTopicSize: BigInt(t.maxTopicSize),
          replicationFactor: t.replicationFactor,
          partitions: t.partitions.map((createdAt) => ({ createdAt: BigInt(createdAt) })),
          groups: Slab.restore(t.groups, (name, groupId) => ({
            id: groupId,
            name,
            membership: new GroupMembership([...partitionIds]),
          })),
          roundRobin: 0,
        };
      }),
    }));
  }
}

/** The persisted form (bigints as decimal strings). */
export type CatalogSnapshot = SlabSnapshot<{
  name: string;
  createdAt: string;
  topics: SlabSnapshot<{
    name: string;
    createdAt: string;
    messageExpiry: string;
    compressionAlgorithm: number;
    maxTopicSize: string;
    replicationFactor: number;
    partitions: string[];
    groups: SlabSnapshot<string>;
  }>;
}>;

export function checkPartitionsCount(count: number, min: number): void {
  if (!Number.isInteger(count) || count < min || count > MAX_PARTITIONS) {
    throw BrokerError.of(
      'TooManyPartitions',
      `partitions count ${count} is outside ${min}..${MAX_PARTITIONS}`,
    );
  }
}

function checkName(
  name: string,
  code: 'InvalidStreamName' | 'InvalidTopicName' | 'InvalidConsumerGroupName',
  what: string,
): void {
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes === 0 || bytes > MAX_NAME_BYTES) {
    throw BrokerError.of(code, `${what} name must be 1..${MAX_NAME_BYTES} bytes, got ${bytes}`);
  }
}

function checkCompression(value: number): number {
  if (value !== CompressionAlgorithm.None && value !== CompressionAlgorithm.Gzip) {
    throw BrokerError.of('InvalidCommand', `compression algorithm ${value} is neither 1 (none) nor 2 (gzip)`);
  }
  return value;
}

function fmt(id: Identifier): string {
  return typeof id === 'number' ? String(id) : `'${id}'`;
}
