import type { CommandCodec } from '../../command-codec.js';
import { CommandCode } from '../../codes/command-codes.js';
import { IggyErrorCode } from '../../codes/error-codes.js';
import { decodePayload, emptyPayload, encodePayload, expectEmpty, readName, writeName } from '../payload.js';
import { readStreamTarget, writeStreamTarget, type StreamTarget } from './stream.layout.js';

export interface UpdateStreamRequest extends StreamTarget {
  /** The new name. */
  name: string;
}

/** UpdateStream (204): stream identifier · u8 name length · name; empty answer. */
export const updateStreamCodec: CommandCodec<UpdateStreamRequest, void> = {
  name: 'UpdateStream',
  code: CommandCode.UpdateStream,
  encodeRequest: (request) =>
    encodePayload((w) => {
      writeStreamTarget(w, request);
      writeName(w, request.name, 'stream name', IggyErrorCode.InvalidStreamName);
    }),
  decodeRequest: (payload) =>
    decodePayload(payload, 'UpdateStream request', (r) => {
      const { streamId } = readStreamTarget(r);
      return { streamId, name: readName(r, 'stream name', IggyErrorCode.InvalidStreamName) };
    }),
  encodeResponse: () => emptyPayload(),
  decodeResponse: (payload) => expectEmpty(payload, 'UpdateStream response'),
};
