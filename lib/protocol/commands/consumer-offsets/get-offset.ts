import type { CommandCodec } from '../../command-codec.js';
import { CommandCode } from '../../codes/command-codes.js';
import { decodePayload, emptyPayload, encodePayload } from '../messages/messages-payload.js';
import {
  readConsumerOffsetInfo,
  readConsumerOffsetTarget,
  writeConsumerOffsetInfo,
  writeConsumerOffsetTarget,
  type ConsumerOffsetInfo,
  type ConsumerOffsetTarget,
} from './consumer-offset.layout.js';

export type GetOffsetRequest = ConsumerOffsetTarget;

/**
 * GetOffset (120): consumer · stream · topic · optional partition. Answer: `u32 partition id` ·
 * `u64 current offset` · `u64 stored offset`, or an empty payload (null) when nothing is stored or
 * the stream/topic/partition is missing.
 */
export const getOffsetCodec: CommandCodec<GetOffsetRequest, ConsumerOffsetInfo | null> = {
  name: 'GetOffset',
  code: CommandCode.GetOffset,
  encodeRequest: (request) => encodePayload((w) => writeConsumerOffsetTarget(w, request)),
  decodeRequest: (payload) => decodePayload(payload, 'GetOffset request', readConsumerOffsetTarget),
  encodeResponse: (info) =>
    info === null ? emptyPayload() : encodePayload((w) => writeConsumerOffsetInfo(w, info), 20),
  decodeResponse: (payload) =>
    payload.length === 0 ? null : decodePayload(payload, 'GetOffset response', readConsumerOffsetInfo),
};
