import {
  createConsumerGroupCodec,
  deleteConsumerGroupCodec,
  getConsumerGroupCodec,
  getConsumerGroupsCodec,
  joinConsumerGroupCodec,
  leaveConsumerGroupCodec,
  type GroupTarget,
} from '../../../../../lib/protocol/commands/consumer-groups/index.js';
import {
  createPartitionsCodec,
  deletePartitionsCodec,
} from '../../../../../lib/protocol/commands/partitions/index.js';
import {
  createStreamCodec,
  deleteStreamCodec,
  getStreamCodec,
  getStreamsCodec,
  purgeStreamCodec,
  updateStreamCodec,
  type StreamTarget,
} from '../../../../../lib/protocol/commands/streams/index.js';
import {
  CompressionAlgorithm,
  createTopicCodec,
  deleteTopicCodec,
  getTopicCodec,
  getTopicsCodec,
  purgeTopicCodec,
  updateTopicCodec,
  type CompressionAlgorithmValue,
  type TopicTarget,
} from '../../../../../lib/protocol/commands/topics/index.js';
import type { Identifier } from '../../../../../lib/protocol/primitives/identifier.js';
import type { AdapterTable, VectorAdapter } from '../vector-adapter.js';

/** The Node SDK's input objects, as the vectors record them. */
interface SdkInput {
  streamId: Identifier;
  topicId: Identifier;
  groupId: Identifier;
  name: string;
  partitionCount: number;
  partitionsCount?: number;
  compressionAlgorithm?: CompressionAlgorithmValue;
  messageExpiry?: bigint;
  maxTopicSize?: bigint;
  replicationFactor?: number;
}

const sdk = (input: unknown): SdkInput => input as SdkInput;
const stream = (input: unknown): StreamTarget => ({ streamId: sdk(input).streamId });
const topic = (input: unknown): TopicTarget => ({
  streamId: sdk(input).streamId,
  topicId: sdk(input).topicId,
});
const group = (input: unknown): GroupTarget => ({ ...topic(input), groupId: sdk(input).groupId });

/** What the SDK writes for topic settings the caller leaves out. */
const topicSettings = (input: unknown) => {
  const i = sdk(input);
  return {
    compressionAlgorithm: i.compressionAlgorithm ?? CompressionAlgorithm.None,
    messageExpiry: i.messageExpiry ?? 0n,
    maxTopicSize: i.maxTopicSize ?? 0n,
    replicationFactor: i.replicationFactor ?? 1,
  };
};

const adapter = <Req>(a: VectorAdapter<Req>): VectorAdapter<Req> => a;

/** Vector `command` name → adapter. */
export const catalogAdapters: AdapterTable = {
  CREATE_STREAM: adapter({ codec: createStreamCodec, toRequest: (i) => ({ name: sdk(i).name }) }),
  GET_STREAM: adapter({ codec: getStreamCodec, toRequest: stream }),
  GET_STREAMS: adapter({ codec: getStreamsCodec, toRequest: () => undefined }),
  UPDATE_STREAM: adapter({
    codec: updateStreamCodec,
    toRequest: (i) => ({ ...stream(i), name: sdk(i).name }),
  }),
  DELETE_STREAM: adapter({ codec: deleteStreamCodec, toRequest: stream }),
  PURGE_STREAM: adapter({ codec: purgeStreamCodec, toRequest: stream }),

  CREATE_TOPIC: adapter({
    codec: createTopicCodec,
    toRequest: (i) => ({
      streamId: sdk(i).streamId,
      name: sdk(i).name,
      partitionsCount: sdk(i).partitionCount,
      ...topicSettings(i),
    }),
  }),
  GET_TOPIC: adapter({ codec: getTopicCodec, toRequest: topic }),
  GET_TOPICS: adapter({ codec: getTopicsCodec, toRequest: stream }),
  UPDATE_TOPIC: adapter({
    codec: updateTopicCodec,
    toRequest: (i) => ({ ...topic(i), name: sdk(i).name, ...topicSettings(i) }),
  }),
  // The Node SDK appends a u32 partitions count the server ignores (0 when the caller leaves it out).
  DELETE_TOPIC: adapter({
    codec: deleteTopicCodec,
    toRequest: (i) => ({ ...topic(i), partitionsCount: sdk(i).partitionsCount ?? 0 }),
  }),
  PURGE_TOPIC: adapter({ codec: purgeTopicCodec, toRequest: topic }),

  CREATE_PARTITION: adapter({
    codec: createPartitionsCodec,
    toRequest: (i) => ({ ...topic(i), partitionsCount: sdk(i).partitionCount }),
  }),
  DELETE_PARTITIONS: adapter({
    codec: deletePartitionsCodec,
    toRequest: (i) => ({ ...topic(i), partitionsCount: sdk(i).partitionCount }),
  }),

  CREATE_GROUP: adapter({
    codec: createConsumerGroupCodec,
    toRequest: (i) => ({ ...topic(i), name: sdk(i).name }),
  }),
  GET_GROUP: adapter({ codec: getConsumerGroupCodec, toRequest: group }),
  GET_GROUPS: adapter({ codec: getConsumerGroupsCodec, toRequest: topic }),
  JOIN_GROUP: adapter({ codec: joinConsumerGroupCodec, toRequest: group }),
  LEAVE_GROUP: adapter({ codec: leaveConsumerGroupCodec, toRequest: group }),
  DELETE_GROUP: adapter({ codec: deleteConsumerGroupCodec, toRequest: group }),
};
