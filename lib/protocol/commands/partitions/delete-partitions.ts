import type { CommandCodec } from '../../command-codec.js';
import { CommandCode } from '../../codes/command-codes.js';
import { decodePayload, emptyPayload, encodePayload, expectEmpty } from '../payload.js';
import {
  readPartitionsCountRequest,
  writePartitionsCountRequest,
  type PartitionsCountRequest,
} from './partitions.layout.js';

export type DeletePartitionsRequest = PartitionsCountRequest;

/** DeletePartitions (403): stream identifier · topic identifier · u32 partitions_count; empty answer. Removes that many partitions from the end of the topic. */
export const deletePartitionsCodec: CommandCodec<DeletePartitionsRequest, void> = {
  name: 'DeletePartitions',
  code: CommandCode.DeletePartitions,
  encodeRequest: (request) =>
    encodePayload((w) => writePartitionsCountRequest(w, request, 'DeletePartitions request')),
  decodeRequest: (payload) => decodePayload(payload, 'DeletePartitions request', readPartitionsCountRequest),
  encodeResponse: () => emptyPayload(),
  decodeResponse: (payload) => expectEmpty(payload, 'DeletePartitions response'),
};
