import type { CommandCodec } from '../../command-codec.js';
import { CommandCode } from '../../codes/command-codes.js';
import { IggyErrorCode } from '../../codes/error-codes.js';
import { decodePayload, encodePayload, readName, writeName } from '../payload.js';
import { readTopicTarget, writeTopicTarget, type TopicTarget } from '../topics/topic.layout.js';
import {
  readConsumerGroupDetailsToEnd,
  writeConsumerGroupDetails,
  type ConsumerGroupDetails,
} from './consumer-group.layout.js';

/** The server assigns the group id; the request carries only the name. */
export interface CreateConsumerGroupRequest extends TopicTarget {
  name: string;
}

/**
 * CreateConsumerGroup (602): stream identifier · topic identifier · u8 name length · name.
 * Answers the new group's record (no members yet).
 */
export const createConsumerGroupCodec: CommandCodec<CreateConsumerGroupRequest, ConsumerGroupDetails> = {
  name: 'CreateConsumerGroup',
  code: CommandCode.CreateConsumerGroup,
  encodeRequest: (request) =>
    encodePayload((w) => {
      writeTopicTarget(w, request);
      writeName(w, request.name, 'group name', IggyErrorCode.InvalidConsumerGroupName);
    }),
  decodeRequest: (payload) =>
    decodePayload(payload, 'CreateConsumerGroup request', (r) => {
      const { streamId, topicId } = readTopicTarget(r);
      return { streamId, topicId, name: readName(r, 'group name', IggyErrorCode.InvalidConsumerGroupName) };
    }),
  encodeResponse: (group) => encodePayload((w) => writeConsumerGroupDetails(w, group)),
  decodeResponse: (payload) =>
    decodePayload(payload, 'CreateConsumerGroup response', readConsumerGroupDetailsToEnd),
};
