import type {
  ConsumerGroup,
  ConsumerGroupDetails,
} from '../commands/consumer-groups/consumer-group.layout.js';
import type { ConsumerOffsetInfo } from '../commands/consumer-offsets/consumer-offset.layout.js';
import type { Stream, StreamDetails } from '../commands/streams/stream.layout.js';
import { CompressionAlgorithm } from '../commands/topics/topic.layout.js';
import type { Partition, Topic, TopicDetails } from '../commands/topics/topic.layout.js';
import { ProtocolError } from '../protocol-error.js';
import { describeJson, JsonFields, lookup, readList } from './json-fields.js';

/*
 * Streams, topics, partitions, consumer groups and offsets as Iggy's HTTP API writes them (servers 0.7
 * and 0.8 alike): snake_case fields, sizes as `"134 B"`, compression as a name. Both directions: the
 * client reads what the broker writes.
 */

/** Exact byte count in the server's human form (`134 B`, `2 KB` when it divides exactly). */
export function byteSizeText(bytes: bigint): string {
  for (const [unit, size] of [
    ['TB', 1_000_000_000_000n],
    ['GB', 1_000_000_000n],
    ['MB', 1_000_000n],
    ['KB', 1000n],
  ] as const) {
    if (bytes >= size && bytes % size === 0n) return `${bytes / size} ${unit}`;
  }
  return `${bytes} B`;
}

const COMPRESSION: Record<string, number> = {
  none: CompressionAlgorithm.None,
  gzip: CompressionAlgorithm.Gzip,
};

export function compressionName(value: number): string {
  return value === CompressionAlgorithm.Gzip ? 'gzip' : 'none';
}

function compression(f: JsonFields): Topic['compressionAlgorithm'] {
  const raw = f.raw('compression_algorithm');
  const value = typeof raw === 'string' ? lookup(COMPRESSION, raw.toLowerCase()) : raw;
  if (value !== CompressionAlgorithm.None && value !== CompressionAlgorithm.Gzip) {
    throw new ProtocolError('InvalidValue', `${f.what}.compression_algorithm: unknown ${describeJson(raw)}`);
  }
  return value;
}

export function readStream(f: JsonFields): Stream {
  return {
    id: f.u32('id'),
    createdAt: f.big('created_at'),
    topicsCount: f.u32('topics_count'),
    sizeBytes: f.bytes('size'),
    messagesCount: f.big('messages_count'),
    name: f.string('name'),
  };
}

export function readStreamDetails(f: JsonFields): StreamDetails {
  return { ...readStream(f), topics: readList(f.raw('topics'), `${f.what}.topics`, readTopic) };
}

export function readTopic(f: JsonFields): Topic {
  return {
    id: f.u32('id'),
    createdAt: f.big('created_at'),
    partitionsCount: f.u32('partitions_count'),
    messageExpiry: f.big('message_expiry'),
    compressionAlgorithm: compression(f),
    maxTopicSize: f.big('max_topic_size'),
    replicationFactor: f.u32('replication_factor'),
    sizeBytes: f.bytes('size'),
    messagesCount: f.big('messages_count'),
    name: f.string('name'),
  };
}

function readPartition(f: JsonFields): Partition {
  return {
    id: f.u32('id'),
    createdAt: f.big('created_at'),
    segmentsCount: f.u32('segments_count'),
    currentOffset: f.big('current_offset'),
    sizeBytes: f.bytes('size'),
    messagesCount: f.big('messages_count'),
  };
}

export function readTopicDetails(f: JsonFields): TopicDetails {
  return {
    ...readTopic(f),
    partitions: readList(f.raw('partitions'), `${f.what}.partitions`, readPartition),
  };
}

export function readConsumerGroup(f: JsonFields): ConsumerGroup {
  return {
    id: f.u32('id'),
    partitionsCount: f.u32('partitions_count'),
    membersCount: f.u32('members_count'),
    name: f.string('name'),
  };
}

export function readConsumerGroupDetails(f: JsonFields): ConsumerGroupDetails {
  return {
    ...readConsumerGroup(f),
    members: readList(f.raw('members'), `${f.what}.members`, (m) => ({
      id: m.u32('id'),
      partitions: m.array('partitions').map(Number),
    })),
  };
}

export function readConsumerOffset(f: JsonFields): ConsumerOffsetInfo {
  return {
    partitionId: f.u32('partition_id'),
    currentOffset: f.big('current_offset'),
    storedOffset: f.big('stored_offset'),
  };
}
export function streamJson(s: Stream): Record<string, unknown> {
  return {
    id: s.id,
    created_at: s.createdAt,
    name: s.name,
    size: byteSizeText(s.sizeBytes),
    messages_count: s.messagesCount,
    topics_count: s.topicsCount,
  };
}

export function streamDetailsJson(s: StreamDetails): Record<string, unknown> {
  return { ...streamJson(s), topics: s.topics.map(topicJson) };
}

export function topicJson(t: Topic): Record<string, unknown> {
  return {
    id: t.id,
    created_at: t.createdAt,
    name: t.name,
    size: byteSizeText(t.sizeBytes),
    message_expiry: t.messageExpiry,
    compression_algorithm: compressionName(t.compressionAlgorithm),
    max_topic_size: t.maxTopicSize,
    replication_factor: t.replicationFactor,
    messages_count: t.messagesCount,
    partitions_count: t.partitionsCount,
  };
}

function partitionJson(p: Partition): Record<string, unknown> {
  return {
    id: p.id,
    created_at: p.createdAt,
    segments_count: p.segmentsCount,
    current_offset: p.currentOffset,
    size: byteSizeText(p.sizeBytes),
    messages_count: p.messagesCount,
  };
}

export function topicDetailsJson(t: TopicDetails): Record<string, unknown> {
  return { ...topicJson(t), partitions: t.partitions.map(partitionJson) };
}

export function consumerGroupJson(g: ConsumerGroup): Record<string, unknown> {
  return { id: g.id, name: g.name, partitions_count: g.partitionsCount, members_count: g.membersCount };
}

export function consumerGroupDetailsJson(g: ConsumerGroupDetails): Record<string, unknown> {
  return {
    ...consumerGroupJson(g),
    members: g.members.map((m) => ({
      id: m.id,
      partitions_count: m.partitions.length,
      partitions: m.partitions,
    })),
  };
}

export function consumerOffsetJson(o: ConsumerOffsetInfo): Record<string, unknown> {
  return { partition_id: o.partitionId, current_offset: o.currentOffset, stored_offset: o.storedOffset };
}

/** `{ name, partitions_count, compression_algorithm, message_expiry, max_topic_size, replication_factor }`. */
export interface TopicBody {
  name: string;
  /** Absent in an update. */
  partitionsCount?: number;
  compressionAlgorithm: number;
  messageExpiry: bigint;
  maxTopicSize: bigint;
  replicationFactor: number;
}

/** A create-topic (`withPartitions`) or update-topic body. */
export function readTopicBody(json: unknown, withPartitions: boolean): TopicBody {
  const f = JsonFields.of(json, 'topic');
  const body: TopicBody = {
    name: f.string('name'),
    compressionAlgorithm: f.has('compression_algorithm') ? compression(f) : CompressionAlgorithm.None,
    messageExpiry: f.has('message_expiry') ? f.big('message_expiry') : 0n,
    maxTopicSize: f.has('max_topic_size') ? f.big('max_topic_size') : 0n,
    replicationFactor: f.has('replication_factor') ? f.u32('replication_factor') : 1,
  };
  if (withPartitions) body.partitionsCount = f.u32('partitions_count');
  if (body.replicationFactor > 255)
    throw new ProtocolError('InvalidValue', 'topic.replication_factor: above 255');
  return body;
}

/** `{ name }` (create stream, update stream, create consumer group). */
export function readNameBody(json: unknown, what: string): string {
  return JsonFields.of(json, what).string('name');
}

/** `{ partitions_count }`. */
export function readPartitionsBody(json: unknown): number {
  return JsonFields.of(json, 'partitions').u32('partitions_count');
}

/** `{ consumer_id, partition_id, offset }` (store consumer offset). */
export function readStoreOffsetBody(json: unknown): {
  consumerId: string;
  partitionId: number | null;
  offset: bigint;
} {
  const f = JsonFields.of(json, 'consumer offset');
  const id = f.raw('consumer_id');
  if (typeof id !== 'string' && typeof id !== 'number') {
    throw new ProtocolError('InvalidValue', 'consumer offset.consumer_id: expected a string or a number');
  }
  return {
    consumerId: String(id),
    partitionId: f.has('partition_id') ? f.u32('partition_id') : null,
    offset: f.big('offset'),
  };
}
