import type { CommandCodec } from '../../command-codec.js';
import { CommandCode } from '../../codes/command-codes.js';
import { decodePayload, emptyPayload, encodePayload, expectEmpty } from '../payload.js';
import { readStreamTarget, writeStreamTarget, type StreamTarget } from './stream.layout.js';

export type DeleteStreamRequest = StreamTarget;

/** DeleteStream (203): stream identifier; empty answer. Deletes the stream with all its topics and messages. */
export const deleteStreamCodec: CommandCodec<DeleteStreamRequest, void> = {
  name: 'DeleteStream',
  code: CommandCode.DeleteStream,
  encodeRequest: (request) => encodePayload((w) => writeStreamTarget(w, request)),
  decodeRequest: (payload) => decodePayload(payload, 'DeleteStream request', readStreamTarget),
  encodeResponse: () => emptyPayload(),
  decodeResponse: (payload) => expectEmpty(payload, 'DeleteStream response'),
};
