import { IggyErrorCode } from '../../codes/error-codes.js';
import { Limits } from '../../limits.js';
import { ProtocolError } from '../../protocol-error.js';
import type { BinaryReader } from '../../primitives/binary-reader.js';
import type { BinaryWriter } from '../../primitives/binary-writer.js';
import { readIdentifier, writeIdentifier, type Identifier } from '../../primitives/identifier.js';
import { readToEnd } from '../payload.js';

/** Topic compression codes. The 0.7 server stores and reports the value but never compresses. */
export const CompressionAlgorithm = { None: 1, Gzip: 2 } as const;
export type CompressionAlgorithmValue = (typeof CompressionAlgorithm)[keyof typeof CompressionAlgorithm];

/** Which topic a request is about: stream identifier · topic identifier. */
export interface TopicTarget {
  streamId: Identifier;
  topicId: Identifier;
}

/** A topic as the server lists it (GetTopics, and inside GetStream). */
export interface Topic {
  id: number;
  /** Creation time, µs since the epoch. */
  createdAt: bigint;
  partitionsCount: number;
  /** µs; 0 = server default, 2^64-1 = never. */
  messageExpiry: bigint;
  compressionAlgorithm: CompressionAlgorithmValue;
  /** Bytes; 0 = server default, 2^64-1 = unlimited. */
  maxTopicSize: bigint;
  replicationFactor: number;
  sizeBytes: bigint;
  messagesCount: bigint;
  name: string;
}

/** One partition of a topic (GetTopic, CreateTopic). Ids are 0-based. */
export interface Partition {
  id: number;
  /** Creation time, µs since the epoch. */
  createdAt: bigint;
  segmentsCount: number;
  currentOffset: bigint;
  sizeBytes: bigint;
  messagesCount: bigint;
}

/** A topic with its partitions (GetTopic, CreateTopic). */
export interface TopicDetails extends Topic {
  partitions: Partition[];
}

export function writeTopicTarget(w: BinaryWriter, target: TopicTarget): void {
  writeIdentifier(w, target.streamId);
  writeIdentifier(w, target.topicId);
}

export function readTopicTarget(r: BinaryReader): TopicTarget {
  const streamId = readIdentifier(r, 'stream id');
  return { streamId, topicId: readIdentifier(r, 'topic id') };
}

/** Throws unless `value` is a compression code the server accepts (it answers InvalidCommand). */
export function checkCompression(value: number, context: string): CompressionAlgorithmValue {
  if (value !== CompressionAlgorithm.None && value !== CompressionAlgorithm.Gzip) {
    throw new ProtocolError(
      'InvalidValue',
      `${context}: compression algorithm ${value} is neither 1 (none) nor 2 (gzip)`,
      IggyErrorCode.InvalidCommand,
    );
  }
  return value;
}

/** Throws unless a topic may be created with `count` partitions (0..1000, TooManyPartitions). */
export function checkPartitionsCount(count: number, min: number, context: string): void {
  if (count < min || count > Limits.maxPartitions) {
    throw new ProtocolError(
      'InvalidValue',
      `${context}: partitions count ${count} is outside ${min}..${Limits.maxPartitions}`,
      IggyErrorCode.TooManyPartitions,
    );
  }
}

/**
 * Topic record: u32 id · u64 created_at · u32 partitions_count · u64 message_expiry ·
 * u8 compression_algorithm · u64 max_topic_size · u8 replication_factor · u64 size_bytes ·
 * u64 messages_count · u8 name length · name.
 */
export function writeTopic(w: BinaryWriter, topic: Topic): void {
  w.u32(topic.id)
    .u64(topic.createdAt)
    .u32(topic.partitionsCount)
    .u64(topic.messageExpiry)
    .u8(checkCompression(topic.compressionAlgorithm, 'topic'))
    .u64(topic.maxTopicSize)
    .u8(topic.replicationFactor)
    .u64(topic.sizeBytes)
    .u64(topic.messagesCount)
    .str8(topic.name, 'topic name');
}

export function readTopic(r: BinaryReader): Topic {
  return {
    id: r.u32('topic id'),
    createdAt: r.u64('topic created_at'),
    partitionsCount: r.u32('topic partitions_count'),
    messageExpiry: r.u64('topic message_expiry'),
    compressionAlgorithm: checkCompression(r.u8('topic compression_algorithm'), r.context),
    maxTopicSize: r.u64('topic max_topic_size'),
    replicationFactor: r.u8('topic replication_factor'),
    sizeBytes: r.u64('topic size_bytes'),
    messagesCount: r.u64('topic messages_count'),
    name: r.str8('topic name'),
  };
}

/** Partition record, 40 bytes: u32 id · u64 created_at · u32 segments_count · u64 current_offset · u64 size_bytes · u64 messages_count. */
export function writePartition(w: BinaryWriter, partition: Partition): void {
  w.u32(partition.id)
    .u64(partition.createdAt)
    .u32(partition.segmentsCount)
    .u64(partition.currentOffset)
    .u64(partition.sizeBytes)
    .u64(partition.messagesCount);
}

export function readPartition(r: BinaryReader): Partition {
  return {
    id: r.u32('partition id'),
    createdAt: r.u64('partition created_at'),
    segmentsCount: r.u32('partition segments_count'),
    currentOffset: r.u64('partition current_offset'),
    sizeBytes: r.u64('partition size_bytes'),
    messagesCount: r.u64('partition messages_count'),
  };
}

/** Topic record followed by its partition records. */
export function writeTopicDetails(w: BinaryWriter, topic: TopicDetails): void {
  writeTopic(w, topic);
  for (const partition of topic.partitions) writePartition(w, partition);
}

/** A topic record, then partition records up to the end of the payload. */
export function readTopicDetailsToEnd(r: BinaryReader): TopicDetails {
  const topic = readTopic(r);
  return { ...topic, partitions: readToEnd(r, readPartition) };
}
