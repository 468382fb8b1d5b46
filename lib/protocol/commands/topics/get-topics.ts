import type { CommandCodec } from '../../command-codec.js';
import { CommandCode } from '../../codes/command-codes.js';
import { decodePayload, encodePayload, readToEnd } from '../payload.js';
import { readStreamTarget, writeStreamTarget, type StreamTarget } from '../streams/stream.layout.js';
import { readTopic, writeTopic, type Topic } from './topic.layout.js';

export type GetTopicsRequest = StreamTarget;

/**
 * GetTopics (301): stream identifier; answers the stream's topic records (no partitions), ordered by id.
 * A missing stream is answered with an empty payload, i.e. no topics.
 */
export const getTopicsCodec: CommandCodec<GetTopicsRequest, Topic[]> = {
  name: 'GetTopics',
  code: CommandCode.GetTopics,
  encodeRequest: (request) => encodePayload((w) => writeStreamTarget(w, request)),
  decodeRequest: (payload) => decodePayload(payload, 'GetTopics request', readStreamTarget),
  encodeResponse: (topics) =>
    encodePayload((w) => {
      for (const topic of topics) writeTopic(w, topic);
    }),
  decodeResponse: (payload) => decodePayload(payload, 'GetTopics response', (r) => readToEnd(r, readTopic)),
};
