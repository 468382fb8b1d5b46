import type { CommandCodec } from '../../command-codec.js';
import { CommandCode } from '../../codes/command-codes.js';
import { decodeEmpty, decodePayload, encodeEmpty, encodePayload } from '../catalog-payload.js';
import { readStreamTarget, writeStreamTarget, type StreamTarget } from './stream.layout.js';

export type PurgeStreamRequest = StreamTarget;

/** PurgeStream (205): stream identifier; empty answer. Deletes every message of every topic of the stream, keeping the topics. */
export const purgeStreamCodec: CommandCodec<PurgeStreamRequest, void> = {
  name: 'PurgeStream',
  code: CommandCode.PurgeStream,
  encodeRequest: (request) => encodePayload((w) => writeStreamTarget(w, request)),
  decodeRequest: (payload) => decodePayload(payload, 'PurgeStream request', readStreamTarget),
  encodeResponse: () => encodeEmpty(),
  decodeResponse: (payload) => decodeEmpty(payload, 'PurgeStream response'),
};
