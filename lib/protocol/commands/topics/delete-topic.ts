import type { CommandCodec } from '../../command-codec.js';
import { CommandCode } from '../../codes/command-codes.js';
import { decodePayload, emptyPayload, encodePayload, expectEmpty } from '../payload.js';
import { readTopicTarget, writeTopicTarget, type TopicTarget } from './topic.layout.js';

export interface DeleteTopicRequest extends TopicTarget {
  /**
   * A trailing u32 the 0.7 server ignores but the official Node SDK (node-sdk-0.7.0) still appends.
   * Present only when the payload carries it; written only when set.
   */
  partitionsCount?: number;
}

/** DeleteTopic (303): stream identifier · topic identifier [· u32 ignored]; empty answer. */
export const deleteTopicCodec: CommandCodec<DeleteTopicRequest, void> = {
  name: 'DeleteTopic',
  code: CommandCode.DeleteTopic,
  encodeRequest: (request) =>
    encodePayload((w) => {
      writeTopicTarget(w, request);
      if (request.partitionsCount !== undefined) w.u32(request.partitionsCount);
    }),
  decodeRequest: (payload) =>
    decodePayload(payload, 'DeleteTopic request', (r): DeleteTopicRequest => {
      const target = readTopicTarget(r);
      return r.remaining === 0 ? target : { ...target, partitionsCount: r.u32('partitions_count') };
    }),
  encodeResponse: () => emptyPayload(),
  decodeResponse: (payload) => expectEmpty(payload, 'DeleteTopic response'),
};
