import type { CommandCodec } from '../../command-codec.js';
import { CommandCode } from '../../codes/command-codes.js';
import { decodeNullable, decodePayload, encodeNullable, encodePayload } from '../payload.js';
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
  encodeResponse: (info) => encodeNullable(info, writeConsumerOffsetInfo, 20),
  decodeResponse: (payload) => decodeNullable(payload, 'GetOffset response', readConsumerOffsetInfo),
};
