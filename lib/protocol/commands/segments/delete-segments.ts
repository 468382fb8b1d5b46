import type { CommandCodec } from '../../command-codec.js';
import { CommandCode } from '../../codes/command-codes.js';
import { decodePayload, emptyPayload, encodePayload, expectEmpty } from '../payload.js';
import { readTopicTarget, writeTopicTarget, type TopicTarget } from '../topics/topic.layout.js';

export interface DeleteSegmentsRequest extends TopicTarget {
  /** 0-based. */
  partitionId: number;
  /** How many of the oldest segments to delete. */
  segmentsCount: number;
}

/** DeleteSegments (503): stream identifier · topic identifier · u32 partition_id · u32 segments_count; empty answer. */
export const deleteSegmentsCodec: CommandCodec<DeleteSegmentsRequest, void> = {
  name: 'DeleteSegments',
  code: CommandCode.DeleteSegments,
  encodeRequest: (request) =>
    encodePayload((w) => {
      writeTopicTarget(w, request);
      w.u32(request.partitionId).u32(request.segmentsCount);
    }),
  decodeRequest: (payload) =>
    decodePayload(payload, 'DeleteSegments request', (r) => {
      const { streamId, topicId } = readTopicTarget(r);
      const partitionId = r.u32('partition_id');
      return { streamId, topicId, partitionId, segmentsCount: r.u32('segments_count') };
    }),
  encodeResponse: () => emptyPayload(),
  decodeResponse: (payload) => expectEmpty(payload, 'DeleteSegments response'),
};
