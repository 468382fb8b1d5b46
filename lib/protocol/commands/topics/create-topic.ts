import type { CommandCodec } from '../../command-codec.js';
import { CommandCode } from '../../codes/command-codes.js';
import { IggyErrorCode } from '../../codes/error-codes.js';
import { readIdentifier, writeIdentifier, type Identifier } from '../../primitives/identifier.js';
import { decodePayload, encodePayload, readName, writeName } from '../payload.js';
import {
  checkCompression,
  checkPartitionsCount,
  readTopicDetailsToEnd,
  writeTopicDetails,
  type CompressionAlgorithmValue,
  type TopicDetails,
} from './topic.layout.js';

/** The server assigns the topic id; the request carries none. */
export interface CreateTopicRequest {
  streamId: Identifier;
  name: string;
  /** 0..1000. */
  partitionsCount: number;
  compressionAlgorithm: CompressionAlgorithmValue;
  /** µs; 0 = server default, 2^64-1 = never. */
  messageExpiry: bigint;
  /** Bytes; 0 = server default, 2^64-1 = unlimited. */
  maxTopicSize: bigint;
  /** 0 = none given (the server reads 0 as "not set"); the official SDKs send 1. */
  replicationFactor: number;
}

/**
 * CreateTopic (302): stream identifier · u32 partitions_count · u8 compression_algorithm ·
 * u64 message_expiry · u64 max_topic_size · u8 replication_factor · u8 name length · name.
 * Answers the new topic with its partitions.
 */
export const createTopicCodec: CommandCodec<CreateTopicRequest, TopicDetails> = {
  name: 'CreateTopic',
  code: CommandCode.CreateTopic,
  encodeRequest: (request) => {
    checkPartitionsCount(request.partitionsCount, 0, 'CreateTopic request');
    return encodePayload((w) => {
      writeIdentifier(w, request.streamId);
      w.u32(request.partitionsCount)
        .u8(checkCompression(request.compressionAlgorithm, 'CreateTopic request'))
        .u64(request.messageExpiry)
        .u64(request.maxTopicSize)
        .u8(request.replicationFactor);
      writeName(w, request.name, 'topic name', IggyErrorCode.InvalidTopicName);
    });
  },
  decodeRequest: (payload) =>
    decodePayload(payload, 'CreateTopic request', (r) => {
      const streamId = readIdentifier(r, 'stream id');
      const partitionsCount = r.u32('partitions_count');
      const compressionAlgorithm = checkCompression(r.u8('compression_algorithm'), r.context);
      const messageExpiry = r.u64('message_expiry');
      const maxTopicSize = r.u64('max_topic_size');
      const replicationFactor = r.u8('replication_factor');
      const name = readName(r, 'topic name', IggyErrorCode.InvalidTopicName);
      checkPartitionsCount(partitionsCount, 0, r.context);
      return {
        streamId,
        name,
        partitionsCount,
        compressionAlgorithm,
        messageExpiry,
        maxTopicSize,
        replicationFactor,
      };
    }),
  encodeResponse: (topic) => encodePayload((w) => writeTopicDetails(w, topic)),
  decodeResponse: (payload) => decodePayload(payload, 'CreateTopic response', readTopicDetailsToEnd),
};
