import type { BinaryReader } from '../../primitives/binary-reader.js';
import type { BinaryWriter } from '../../primitives/binary-writer.js';
import { readConsumer, writeConsumer, type Consumer } from '../../primitives/consumer.js';
import type { Identifier } from '../../primitives/identifier.js';
import { readOptionalPartitionId, writeOptionalPartitionId } from '../../primitives/optional-partition-id.js';
import { readTopicTarget, writeTopicTarget } from '../topics/topic.layout.js';

/**
 * Whose offset, where: the prefix shared by get/store/delete offset and poll.
 * Wire: consumer (`u8 kind` · identifier) · stream identifier · topic identifier · `u8 has partition` ·
 * `u32 partition id` (0-based; 0 padding when absent).
 */
export interface ConsumerOffsetTarget {
  consumer: Consumer;
  streamId: Identifier;
  topicId: Identifier;
  /** null: the server picks (a group member's assigned partition); a single consumer needs one. */
  partitionId: number | null;
}

export function writeConsumerOffsetTarget(w: BinaryWriter, t: ConsumerOffsetTarget): void {
  writeConsumer(w, t.consumer);
  writeTopicTarget(w, t);
  writeOptionalPartitionId(w, t.partitionId);
}

export function readConsumerOffsetTarget(r: BinaryReader): ConsumerOffsetTarget {
  const consumer = readConsumer(r);
  const { streamId, topicId } = readTopicTarget(r);
  const partitionId = readOptionalPartitionId(r);
  return { consumer, streamId, topicId, partitionId };
}

/** A consumer's position in a partition, as GetOffset answers it. */
export interface ConsumerOffsetInfo {
  partitionId: number;
  /** The partition's current (last) offset. */
  currentOffset: bigint;
  /** The consumer's stored offset: the last consumed one, inclusive. */
  storedOffset: bigint;
}

export function writeConsumerOffsetInfo(w: BinaryWriter, info: ConsumerOffsetInfo): void {
  w.u32(info.partitionId).u64(info.currentOffset).u64(info.storedOffset);
}

export function readConsumerOffsetInfo(r: BinaryReader): ConsumerOffsetInfo {
  return {
    partitionId: r.u32('partition id'),
    currentOffset: r.u64('current offset'),
    storedOffset: r.u64('stored offset'),
  };
}
