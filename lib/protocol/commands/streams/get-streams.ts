import type { CommandCodec } from '../../command-codec.js';
import { CommandCode } from '../../codes/command-codes.js';
import { decodePayload, emptyPayload, encodePayload, expectEmpty, readToEnd } from '../payload.js';
import { readStream, writeStream, type Stream } from './stream.layout.js';

/** GetStreams (201): every stream's record (no topics), ordered by id on the real server. */
export const getStreamsCodec: CommandCodec<void, Stream[]> = {
  name: 'GetStreams',
  code: CommandCode.GetStreams,
  encodeRequest: () => emptyPayload(),
  decodeRequest: (payload) => expectEmpty(payload, 'GetStreams request'),
  encodeResponse: (streams) =>
    encodePayload((w) => {
      for (const stream of streams) writeStream(w, stream);
    }),
  decodeResponse: (payload) => decodePayload(payload, 'GetStreams response', (r) => readToEnd(r, readStream)),
};
