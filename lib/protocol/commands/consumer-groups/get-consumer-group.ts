import type { CommandCodec } from '../../command-codec.js';
import { CommandCode } from '../../codes/command-codes.js';
import { decodeNullable, decodePayload, encodeNullable, encodePayload } from '../payload.js';
import {
  readConsumerGroupDetailsToEnd,
  readGroupTarget,
  writeConsumerGroupDetails,
  writeGroupTarget,
  type ConsumerGroupDetails,
  type GroupTarget,
} from './consumer-group.layout.js';

export type GetConsumerGroupRequest = GroupTarget;

/** GetConsumerGroup (600): the group and its members, or `null` (an empty payload) when it does not exist. */
export const getConsumerGroupCodec: CommandCodec<GetConsumerGroupRequest, ConsumerGroupDetails | null> = {
  name: 'GetConsumerGroup',
  code: CommandCode.GetConsumerGroup,
  encodeRequest: (request) => encodePayload((w) => writeGroupTarget(w, request)),
  decodeRequest: (payload) => decodePayload(payload, 'GetConsumerGroup request', readGroupTarget),
  encodeResponse: (group) => encodeNullable(group, writeConsumerGroupDetails),
  decodeResponse: (payload) =>
    decodeNullable(payload, 'GetConsumerGroup response', readConsumerGroupDetailsToEnd),
};
