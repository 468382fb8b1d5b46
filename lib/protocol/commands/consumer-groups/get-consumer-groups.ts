import type { CommandCodec } from '../../command-codec.js';
import { CommandCode } from '../../codes/command-codes.js';
import { decodePayload, encodePayload, readToEnd } from '../payload.js';
import { readTopicTarget, writeTopicTarget, type TopicTarget } from '../topics/topic.layout.js';
import { readConsumerGroup, writeConsumerGroup, type ConsumerGroup } from './consumer-group.layout.js';

export type GetConsumerGroupsRequest = TopicTarget;

/**
 * GetConsumerGroups (601): stream identifier · topic identifier; answers the topic's group records
 * (no members). A missing stream or topic is answered with an empty payload, i.e. no groups.
 */
export const getConsumerGroupsCodec: CommandCodec<GetConsumerGroupsRequest, ConsumerGroup[]> = {
  name: 'GetConsumerGroups',
  code: CommandCode.GetConsumerGroups,
  encodeRequest: (request) => encodePayload((w) => writeTopicTarget(w, request)),
  decodeRequest: (payload) => decodePayload(payload, 'GetConsumerGroups request', readTopicTarget),
  encodeResponse: (groups) =>
    encodePayload((w) => {
      for (const group of groups) writeConsumerGroup(w, group);
    }),
  decodeResponse: (payload) =>
    decodePayload(payload, 'GetConsumerGroups response', (r) => readToEnd(r, readConsumerGroup)),
};
