import type { CommandCodec } from '../../command-codec.js';
import { CommandCode } from '../../codes/command-codes.js';
import { decodePayload, emptyPayload, encodePayload, expectEmpty } from '../payload.js';
import {
  readPartitionsCountRequest,
  writePartitionsCountRequest,
  type PartitionsCountRequest,
} from './partitions.layout.js';

export type CreatePartitionsRequest = PartitionsCountRequest;

/** CreatePartitions (402): stream identifier · topic identifier · u32 partitions_count; empty answer. Adds partitions at the end of the topic. */
export const createPartitionsCodec: CommandCodec<CreatePartitionsRequest, void> = {
  name: 'CreatePartitions',
  code: CommandCode.CreatePartitions,
  encodeRequest: (request) =>
    encodePayload((w) => writePartitionsCountRequest(w, request, 'CreatePartitions request')),
  decodeRequest: (payload) => decodePayload(payload, 'CreatePartitions request', readPartitionsCountRequest),
  encodeResponse: () => emptyPayload(),
  decodeResponse: (payload) => expectEmpty(payload, 'CreatePartitions response'),
};
