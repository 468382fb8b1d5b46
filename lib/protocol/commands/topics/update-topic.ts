import type { CommandCodec } from '../../command-codec.js';
import { CommandCode } from '../../codes/command-codes.js';
import { IggyErrorCode } from '../../codes/error-codes.js';
import { decodePayload, emptyPayload, encodePayload, expectEmpty, readName, writeName } from '../payload.js';
import {
  checkCompression,
  readTopicTarget,
  writeTopicTarget,
  type CompressionAlgorithmValue,
  type TopicTarget,
} from './topic.layout.js';

/** Every field is replaced (the name too: send the current one to keep it). */
export interface UpdateTopicRequest extends TopicTarget {
  name: string;
  compressionAlgorithm: CompressionAlgorithmValue;
  /** µs; 0 = server default, 2^64-1 = never. */
  messageExpiry: bigint;
  /** Bytes; 0 = server default, 2^64-1 = unlimited. */
  maxTopicSize: bigint;
  /** 0 = not set. */
  replicationFactor: number;
}

/**
 * UpdateTopic (304): stream identifier · topic identifier · u8 compression_algorithm · u64 message_expiry ·
 * u64 max_topic_size · u8 replication_factor · u8 name length · name; empty answer.
 */
export const updateTopicCodec: CommandCodec<UpdateTopicRequest, void> = {
  name: 'UpdateTopic',
  code: CommandCode.UpdateTopic,
  encodeRequest: (request) =>
    encodePayload((w) => {
      writeTopicTarget(w, request);
      w.u8(checkCompression(request.compressionAlgorithm, 'UpdateTopic request'))
        .u64(request.messageExpiry)
        .u64(request.maxTopicSize)
        .u8(request.replicationFactor);
      writeName(w, request.name, 'topic name', IggyErrorCode.InvalidTopicName);
    }),
  decodeRequest: (payload) =>
    decodePayload(payload, 'UpdateTopic request', (r) => {
      const { streamId, topicId } = readTopicTarget(r);
      const compressionAlgorithm = checkCompression(r.u8('compression_algorithm'), r.context);
      const messageExpiry = r.u64('message_expiry');
      const maxTopicSize = r.u64('max_topic_size');
      const replicationFactor = r.u8('replication_factor');
      const name = readName(r, 'topic name', IggyErrorCode.InvalidTopicName);
      return {
        streamId,
        topicId,
        name,
        compressionAlgorithm,
        messageExpiry,
        maxTopicSize,
        replicationFactor,
      };
    }),
  encodeResponse: () => emptyPayload(),
  decodeResponse: (payload) => expectEmpty(payload, 'UpdateTopic response'),
};
