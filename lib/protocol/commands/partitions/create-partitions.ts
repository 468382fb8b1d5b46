import type { CommandCodec } from '../../command-codec.js';
import { CommandCode } from '../../codes/command-codes.js';
import { decodeEmpty, decodePayload, encodeEmpty, encodePayload } from '../catalog-payload.js';
import {
  checkPartitionsCount,
  readTopicTarget,
  writeTopicTarget,
  type TopicTarget,
} from '../topics/topic.layout.js';

export interface CreatePartitionsRequest extends TopicTarget {
  /** 1..1000 (the server answers TooManyPartitions otherwise). */
  partitionsCount: number;
}

/** CreatePartitions (402): stream identifier · topic identifier · u32 partitions_count; empty answer. Adds partitions at the end of the topic. */
export const createPartitionsCodec: CommandCodec<CreatePartitionsRequest, void> = {
  name: 'CreatePartitions',
  code: CommandCode.CreatePartitions,
  encodeRequest: (request) => {
    checkPartitionsCount(request.partitionsCount, 1, 'CreatePartitions request');
    return encodePayload((w) => {
      writeTopicTarget(w, request);
      w.u32(request.partitionsCount);
    });
  },
  decodeRequest: (payload) =>
    decodePayload(payload, 'CreatePartitions request', (r) => {
      const { streamId, topicId } = readTopicTarget(r);
      const partitionsCount = r.u32('partitions_count');
      checkPartitionsCount(partitionsCount, 1, r.context);
      return { streamId, topicId, partitionsCount };
    }),
  encodeResponse: () => encodeEmpty(),
  decodeResponse: (payload) => decodeEmpty(payload, 'CreatePartitions response'),
};
