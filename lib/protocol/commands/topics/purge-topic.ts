import type { CommandCodec } from '../../command-codec.js';
import { CommandCode } from '../../codes/command-codes.js';
import { decodePayload, emptyPayload, encodePayload, expectEmpty } from '../payload.js';
import { readTopicTarget, writeTopicTarget, type TopicTarget } from './topic.layout.js';

export type PurgeTopicRequest = TopicTarget;

/** PurgeTopic (305): stream identifier · topic identifier; empty answer. Deletes the topic's messages, keeps its partitions. */
export const purgeTopicCodec: CommandCodec<PurgeTopicRequest, void> = {
  name: 'PurgeTopic',
  code: CommandCode.PurgeTopic,
  encodeRequest: (request) => encodePayload((w) => writeTopicTarget(w, request)),
  decodeRequest: (payload) => decodePayload(payload, 'PurgeTopic request', readTopicTarget),
  encodeResponse: () => emptyPayload(),
  decodeResponse: (payload) => expectEmpty(payload, 'PurgeTopic response'),
};
