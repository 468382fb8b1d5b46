import type { BinaryReader } from '../../primitives/binary-reader.js';
import type { BinaryWriter } from '../../primitives/binary-writer.js';
import {
  checkPartitionsCount,
  readTopicTarget,
  writeTopicTarget,
  type TopicTarget,
} from '../topics/topic.layout.js';

/** How many partitions to add to or remove from a topic (CreatePartitions, DeletePartitions). */
export interface PartitionsCountRequest extends TopicTarget {
  /** 1..1000 (the server answers TooManyPartitions otherwise). */
  partitionsCount: number;
}

/** stream identifier · topic identifier · u32 partitions_count; `context` names the request in errors. */
export function writePartitionsCountRequest(
  w: BinaryWriter,
  request: PartitionsCountRequest,
  context: string,
): void {
  checkPartitionsCount(request.partitionsCount, 1, context);
  writeTopicTarget(w, request);
  w.u32(request.partitionsCount);
}

export function readPartitionsCountRequest(r: BinaryReader): PartitionsCountRequest {
  const { streamId, topicId } = readTopicTarget(r);
  const partitionsCount = r.u32('partitions_count');
  checkPartitionsCount(partitionsCount, 1, r.context);
  return { streamId, topicId, partitionsCount };
}
