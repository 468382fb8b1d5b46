import type { CommandCodec } from '../../command-codec.js';
import { CommandCode } from '../../codes/command-codes.js';
import { decodePayload, emptyPayload, encodePayload, expectEmpty } from '../payload.js';
import { readStreamTarget, writeStreamTarget, type StreamTarget } from './stream.layout.js';

export type PurgeStreamRequest = StreamTarget;

/** PurgeStream (205): stream identifier; empty answer. Deletes every message of every topic of the stream, keeping the topics. */
export const purgeStreamCodec: CommandCodec<PurgeStreamRequest, void> = {
  name: 'PurgeStream',
  code: CommandCode.PurgeStream,
  encodeRequest: (request) => encodePayload((w) => writeStreamTarget(w, request)),
  decodeRequest: (payload) => decodePayload(payload, 'PurgeStream request', readStreamTarget),
  encodeResponse: () => emptyPayload(),
  decodeResponse: (payload) => expectEmpty(payload, 'PurgeStream response'),
};
