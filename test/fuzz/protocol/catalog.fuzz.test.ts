import { describe, it } from '@jest/globals';
import fc from 'fast-check';
import type { CommandCodec } from '../../../lib/protocol/command-codec.js';
import {
  createConsumerGroupCodec,
  deleteConsumerGroupCodec,
  getConsumerGroupCodec,
  getConsumerGroupsCodec,
  joinConsumerGroupCodec,
  leaveConsumerGroupCodec,
  type ConsumerGroupDetails,
} from '../../../lib/protocol/commands/consumer-groups/index.js';
import {
  createPartitionsCodec,
  deletePartitionsCodec,
} from '../../../lib/protocol/commands/partitions/index.js';
import { deleteSegmentsCodec } from '../../../lib/protocol/commands/segments/index.js';
import {
  createStreamCodec,
  deleteStreamCodec,
  getStreamCodec,
  getStreamsCodec,
  purgeStreamCodec,
  updateStreamCodec,
  type StreamDetails,
} from '../../../lib/protocol/commands/streams/index.js';
import {
  createTopicCodec,
  deleteTopicCodec,
  getTopicCodec,
  getTopicsCodec,
  purgeTopicCodec,
  updateTopicCodec,
  type Topic,
  type TopicDetails,
} from '../../../lib/protocol/commands/topics/index.js';
import { decodesOrRejects, fuzzRuns, mutated, randomBytes } from '../../support/fuzz.js';

const topic: Topic = {
  id: 1,
  createdAt: 1_700_000_000_000_000n,
  partitionsCount: 2,
  messageExpiry: 0n,
  compressionAlgorithm: 1,
  maxTopicSize: 0n,
  replicationFactor: 1,
  sizeBytes: 10n,
  messagesCount: 1n,
  name: 'domain',
};
const topicDetails: TopicDetails = {
  ...topic,
  partitions: [
    { id: 0, createdAt: 1n, segmentsCount: 1, currentOffset: 0n, sizeBytes: 10n, messagesCount: 1n },
    { id: 1, createdAt: 1n, segmentsCount: 1, currentOffset: 0n, sizeBytes: 0n, messagesCount: 0n },
  ],
};
const stream: StreamDetails = {
  id: 0,
  createdAt: 1n,
  topicsCount: 1,
  sizeBytes: 10n,
  messagesCount: 1n,
  name: 'rustok',
  topics: [topic],
};
const group: ConsumerGroupDetails = {
  id: 0,
  partitionsCount: 2,
  membersCount: 2,
  name: 'billing',
  members: [
    { id: 0, partitions: [0] },
    { id: 1, partitions: [1] },
  ],
};
const target = { streamId: 'rustok', topicId: 7 };
const groupTarget = { ...target, groupId: 'billing' };

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Case = [CommandCodec<any, any>, request: unknown, response: unknown];

/** Each codec with a valid request and response, the seeds of the mutation runs. */
const cases: Case[] = [
  [getStreamCodec, { streamId: 'rustok' }, stream],
  [getStreamsCodec, undefined, [stream, { ...stream, id: 1 }]],
  [createStreamCodec, { name: 'rustok' }, { ...stream, topics: [] }],
  [updateStreamCodec, { streamId: 1, name: 'rustok2' }, undefined],
  [deleteStreamCodec, { streamId: 1 }, undefined],
  [purgeStreamCodec, { streamId: 'rustok' }, undefined],
  [getTopicCodec, target, topicDetails],
  [getTopicsCodec, { streamId: 1 }, [topic, { ...topic, id: 2 }]],
  [
    createTopicCodec,
    {
      streamId: 'rustok',
      name: 'domain',
      partitionsCount: 8,
      compressionAlgorithm: 1,
      messageExpiry: 5n,
      maxTopicSize: 6n,
      replicationFactor: 1,
    },
    topicDetails,
  ],
  [
    updateTopicCodec,
    {
      ...target,
      name: 'd',
      compressionAlgorithm: 2,
      messageExpiry: 0n,
      maxTopicSize: 0n,
      replicationFactor: 1,
    },
    undefined,
  ],
  [deleteTopicCodec, { ...target, partitionsCount: 0 }, undefined],
  [purgeTopicCodec, target, undefined],
  [createPartitionsCodec, { ...target, partitionsCount: 2 }, undefined],
  [deletePartitionsCodec, { ...target, partitionsCount: 2 }, undefined],
  [deleteSegmentsCodec, { ...target, partitionId: 0, segmentsCount: 1 }, undefined],
  [getConsumerGroupCodec, groupTarget, group],
  [getConsumerGroupsCodec, target, [group, { ...group, id: 1 }]],
  [createConsumerGroupCodec, { ...target, name: 'billing' }, { ...group, membersCount: 0, members: [] }],
  [deleteConsumerGroupCodec, groupTarget, undefined],
  [joinConsumerGroupCodec, groupTarget, undefined],
  [leaveConsumerGroupCodec, groupTarget, undefined],
];

describe.each(cases.map((c) => [c[0].name, ...c] as const))('%s', (_name, codec, request, response) => {
  const validRequest = codec.encodeRequest(request);
  const validResponse = codec.encodeResponse(response);
  const runs = { numRuns: fuzzRuns() };

  it('decodeRequest: random bytes decode or reject with ProtocolError', () => {
    fc.assert(
      fc.property(randomBytes(), (b) => decodesOrRejects((p) => codec.decodeRequest(p), b)),
      runs,
    );
  });

  it('decodeRequest: mutated valid payloads decode or reject with ProtocolError', () => {
    fc.assert(
      fc.property(mutated(validRequest), (b) => decodesOrRejects((p) => codec.decodeRequest(p), b)),
      runs,
    );
  });

  it('decodeResponse: random bytes decode or reject with ProtocolError', () => {
    fc.assert(
      fc.property(randomBytes(), (b) => decodesOrRejects((p) => codec.decodeResponse(p), b)),
      runs,
    );
  });

  it('decodeResponse: mutated valid payloads decode or reject with ProtocolError', () => {
    fc.assert(
      fc.property(mutated(validResponse), (b) => decodesOrRejects((p) => codec.decodeResponse(p), b)),
      runs,
    );
  });
});
