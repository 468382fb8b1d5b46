import type { CommandCodec } from '../../command-codec.js';
import { CommandCode } from '../../codes/command-codes.js';
import { decodePayload, emptyPayload, encodePayload, expectEmpty } from '../payload.js';
import { readGroupTarget, writeGroupTarget, type GroupTarget } from './consumer-group.layout.js';

export type LeaveConsumerGroupRequest = GroupTarget;

/** LeaveConsumerGroup (605): stream identifier · topic identifier · group identifier; empty answer. Ends this connection's membership; partitions are rebalanced. */
export const leaveConsumerGroupCodec: CommandCodec<LeaveConsumerGroupRequest, void> = {
  name: 'LeaveConsumerGroup',
  code: CommandCode.LeaveConsumerGroup,
  encodeRequest: (request) => encodePayload((w) => writeGroupTarget(w, request)),
  decodeRequest: (payload) => decodePayload(payload, 'LeaveConsumerGroup request', readGroupTarget),
  encodeResponse: () => emptyPayload(),
  decodeResponse: (payload) => expectEmpty(payload, 'LeaveConsumerGroup response'),
};
