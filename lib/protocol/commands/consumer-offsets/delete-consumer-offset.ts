import type { CommandCodec } from '../../command-codec.js';
import { CommandCode } from '../../codes/command-codes.js';
import { decodePayload, emptyPayload, encodePayload, expectEmpty } from '../payload.js';
import {
  readConsumerOffsetTarget,
  writeConsumerOffsetTarget,
  type ConsumerOffsetTarget,
} from './consumer-offset.layout.js';

export type DeleteConsumerOffsetRequest = ConsumerOffsetTarget;

/** DeleteConsumerOffset (122): consumer · stream · topic · optional partition; empty answer. */
export const deleteConsumerOffsetCodec: CommandCodec<DeleteConsumerOffsetRequest, void> = {
  name: 'DeleteConsumerOffset',
  code: CommandCode.DeleteConsumerOffset,
  encodeRequest: (request) => encodePayload((w) => writeConsumerOffsetTarget(w, request)),
  decodeRequest: (payload) =>
    decodePayload(payload, 'DeleteConsumerOffset request', readConsumerOffsetTarget),
  encodeResponse: () => emptyPayload(),
  decodeResponse: (payload) => expectEmpty(payload, 'DeleteConsumerOffset response'),
};
