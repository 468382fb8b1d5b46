import type { CommandCodec } from '../../command-codec.js';
import { CommandCode } from '../../codes/command-codes.js';
import { decodePayload, emptyPayload, encodePayload, expectEmpty } from '../payload.js';
import { readGroupTarget, writeGroupTarget, type GroupTarget } from './consumer-group.layout.js';

export type DeleteConsumerGroupRequest = GroupTarget;

/** DeleteConsumerGroup (603): stream identifier · topic identifier · group identifier; empty answer. Deletes the group and its stored offsets. */
export const deleteConsumerGroupCodec: CommandCodec<DeleteConsumerGroupRequest, void> = {
  name: 'DeleteConsumerGroup',
  code: CommandCode.DeleteConsumerGroup,
  encodeRequest: (request) => encodePayload((w) => writeGroupTarget(w, request)),
  decodeRequest: (payload) => decodePayload(payload, 'DeleteConsumerGroup request', readGroupTarget),
  encodeResponse: () => emptyPayload(),
  decodeResponse: (payload) => expectEmpty(payload, 'DeleteConsumerGroup response'),
};
