import type { CommandCodec } from '../../command-codec.js';
import { CommandCode } from '../../codes/command-codes.js';
import { decodeNullable, decodePayload, encodeNullable, encodePayload } from '../payload.js';
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
  encodeResponse: (topic) => encodeNullable(topic, writeTopicDetails),
  decodeResponse: (payload) => decodeNullable(payload, 'GetTopic response', readTopicDetailsToEnd),
};
