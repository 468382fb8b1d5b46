import type { CommandCodec } from '../../command-codec.js';
import { CommandCode } from '../../codes/command-codes.js';
import { decodeEmpty, decodePayload, encodeEmpty, encodePayload } from '../catalog-payload.js';
import {
  checkPartitionsCount,
  readTopicTarget,
  writeTopicTarget,
  type TopicTarget,
} from '../topics/topic.layout.js';

export interface DeletePartitionsRequest extends TopicTarget {
  /** 1..1000 (the server answers TooManyPartitions otherwise). */
  partitionsCount: number;
}

/** DeletePartitions (403): stream identifier · topic identifier · u32 partitions_count; empty answer. Removes that many partitions from the end of the topic. */
export const deletePartitionsCodec: CommandCodec<DeletePartitionsRequest, void> = {
  name: 'DeletePartitions',
  code: CommandCode.DeletePartitions,
  encodeRequest: (request) => {
    checkPartitionsCount(request.partitionsCount, 1, 'DeletePartitions request');
    return encodePayload((w) => {
      writeTopicTarget(w, request);
      w.u32(request.partitionsCount);
    });
  },
  decodeRequest: (payload) =>
    decodePayload(payload, 'DeletePartitions request', (r) => {
      const { streamId, topicId } = readTopicTarget(r);
      const partitionsCount = r.u32('partitions_count');
      checkPartitionsCount(partitionsCount, 1, r.context);
      return { streamId, topicId, partitionsCount };
    }),
  encodeResponse: () => encodeEmpty(),
  decodeResponse: (payload) => decodeEmpty(payload, 'DeletePartitions response'),
};
