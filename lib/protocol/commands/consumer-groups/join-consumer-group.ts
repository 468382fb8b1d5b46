import type { CommandCodec } from '../../command-codec.js';
import { CommandCode } from '../../codes/command-codes.js';
import { decodePayload, emptyPayload, encodePayload, expectEmpty } from '../payload.js';
import { readGroupTarget, writeGroupTarget, type GroupTarget } from './consumer-group.layout.js';

export type JoinConsumerGroupRequest = GroupTarget;

/** JoinConsumerGroup (604): stream identifier · topic identifier · group identifier; empty answer. Makes this connection a member; partitions are rebalanced. */
export const joinConsumerGroupCodec: CommandCodec<JoinConsumerGroupRequest, void> = {
  name: 'JoinConsumerGroup',
  code: CommandCode.JoinConsumerGroup,
  encodeRequest: (request) => encodePayload((w) => writeGroupTarget(w, request)),
  decodeRequest: (payload) => decodePayload(payload, 'JoinConsumerGroup request', readGroupTarget),
  encodeResponse: () => emptyPayload(),
  decodeResponse: (payload) => expectEmpty(payload, 'JoinConsumerGroup response'),
};
