import type { CommandCodec } from '../../command-codec.js';
import { CommandCode } from '../../codes/command-codes.js';
import { IggyErrorCode } from '../../codes/error-codes.js';
import { decodePayload, encodePayload, readName, writeName } from '../payload.js';
import { readStreamDetailsToEnd, writeStreamDetails, type StreamDetails } from './stream.layout.js';

/** The server assigns the id; the request carries only the name. */
export interface CreateStreamRequest {
  name: string;
}

/** CreateStream (202): u8 name length · name; answers the new stream's record (no topics yet). */
export const createStreamCodec: CommandCodec<CreateStreamRequest, StreamDetails> = {
  name: 'CreateStream',
  code: CommandCode.CreateStream,
  encodeRequest: (request) =>
    encodePayload((w) => writeName(w, request.name, 'stream name', IggyErrorCode.InvalidStreamName)),
  decodeRequest: (payload) =>
    decodePayload(payload, 'CreateStream request', (r) => ({
      name: readName(r, 'stream name', IggyErrorCode.InvalidStreamName),
    })),
  encodeResponse: (stream) => encodePayload((w) => writeStreamDetails(w, stream)),
  decodeResponse: (payload) => decodePayload(payload, 'CreateStream response', readStreamDetailsToEnd),
};
