import type { CommandCodec } from '../../command-codec.js';
import { CommandCode } from '../../codes/command-codes.js';
import type { Identifier } from '../../primitives/identifier.js';
import { decodePayload, emptyPayload, encodePayload, expectEmpty, readFlag, writeFlag } from '../payload.js';
import { readTopicTarget, writeTopicTarget } from '../topics/topic.layout.js';

export interface FlushUnsavedBufferRequest {
  streamId: Identifier;
  topicId: Identifier;
  /** 0-based. */
  partitionId: number;
  /** Also fsync the partition's files. */
  fsync: boolean;
}

/** FlushUnsavedBuffer (102): stream · topic · `u32 partition id` · `u8 fsync`; empty answer. */
export const flushUnsavedBufferCodec: CommandCodec<FlushUnsavedBufferRequest, void> = {
  name: 'FlushUnsavedBuffer',
  code: CommandCode.FlushUnsavedBuffer,
  encodeRequest: (request) =>
    encodePayload((w) => {
      writeTopicTarget(w, request);
      w.u32(request.partitionId);
      writeFlag(w, request.fsync);
    }),
  decodeRequest: (payload) =>
    decodePayload(payload, 'FlushUnsavedBuffer request', (r) => ({
      ...readTopicTarget(r),
      partitionId: r.u32('partition id'),
      fsync: readFlag(r, 'fsync'),
    })),
  encodeResponse: () => emptyPayload(),
  decodeResponse: (payload) => expectEmpty(payload, 'FlushUnsavedBuffer response'),
};
