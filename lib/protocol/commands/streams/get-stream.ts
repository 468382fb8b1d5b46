import type { CommandCodec } from '../../command-codec.js';
import { CommandCode } from '../../codes/command-codes.js';
import { decodeNullable, decodePayload, encodeNullable, encodePayload } from '../payload.js';
import {
  readStreamDetailsToEnd,
  readStreamTarget,
  writeStreamDetails,
  writeStreamTarget,
  type StreamDetails,
  type StreamTarget,
} from './stream.layout.js';

export type GetStreamRequest = StreamTarget;

/** GetStream (200): the stream and its topics, or `null` (an empty payload) when it does not exist. */
export const getStreamCodec: CommandCodec<GetStreamRequest, StreamDetails | null> = {
  name: 'GetStream',
  code: CommandCode.GetStream,
  encodeRequest: (request) => encodePayload((w) => writeStreamTarget(w, request)),
  decodeRequest: (payload) => decodePayload(payload, 'GetStream request', readStreamTarget),
  encodeResponse: (stream) => encodeNullable(stream, writeStreamDetails),
  decodeResponse: (payload) => decodeNullable(payload, 'GetStream response', readStreamDetailsToEnd),
};
