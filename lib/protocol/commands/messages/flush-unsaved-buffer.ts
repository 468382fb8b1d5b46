import type { CommandCodec } from '../../command-codec.js';
import { CommandCode } from '../../codes/command-codes.js';
import { readIdentifier, writeIdentifier, type Identifier } from '../../primitives/identifier.js';
import { decodePayload, emptyPayload, encodePayload, expectEmpty, readBool } from './messages-payload.js';

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
      writeIdentifier(w, request.streamId);
      writeIdentifier(w, request.topicId);
      w.u32(request.partitionId).u8(request.fsync ? 1 : 0);
    }),
  decodeRequest: (payload) =>
    decodePayload(payload, 'FlushUnsavedBuffer request', (r) => ({
      streamId: readIdentifier(r, 'stream id'),
      topicId: readIdentifier(r, 'topic id'),
      partitionId: r.u32('partition id'),
      fsync: readBool(r, 'fsync'),
    })),
  encodeResponse: () => emptyPayload(),
  decodeResponse: (payload) => expectEmpty(payload, 'FlushUnsavedBuffer response'),
};
