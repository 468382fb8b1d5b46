import type { CommandCodec } from '../../command-codec.js';
import { CommandCode } from '../../codes/command-codes.js';
import { decodePayload, encodeEmpty, encodePayload } from '../catalog-payload.js';
import {
  readTopicDetailsToEnd,
  readTopicTarget,
  writeTopicDetails,
  writeTopicTarget,
  type TopicDetails,
  type TopicTarget,
} from './topic.layout.js';

export type GetTopicRequest = TopicTarget;

/** GetTopic (300): the topic and its partitions, or `null` (an empty payload) when it does not exist. */
export const getTopicCodec: CommandCodec<GetTopicRequest, TopicDetails | null> = {
  name: 'GetTopic',
  code: CommandCode.GetTopic,
  encodeRequest: (request) => encodePayload((w) => writeTopicTarget(w, request)),
  decodeRequest: (payload) => decodePayload(payload, 'GetTopic request', readTopicTarget),
  encodeResponse: (topic) =>
    topic === null ? encodeEmpty() : encodePayload((w) => writeTopicDetails(w, topic)),
  decodeResponse: (payload) =>
    payload.length === 0 ? null : decodePayload(payload, 'GetTopic response', readTopicDetailsToEnd),
};
