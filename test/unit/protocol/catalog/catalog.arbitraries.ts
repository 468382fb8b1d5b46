import fc from 'fast-check';
import type {
  ConsumerGroup,
  ConsumerGroupDetails,
  ConsumerGroupMember,
} from '../../../../lib/protocol/commands/consumer-groups/index.js';
import type { Stream, StreamDetails } from '../../../../lib/protocol/commands/streams/index.js';
import type {
  CompressionAlgorithmValue,
  Partition,
  Topic,
  TopicDetails,
} from '../../../../lib/protocol/commands/topics/index.js';
import type { Identifier } from '../../../../lib/protocol/primitives/identifier.js';

const MAX_U64 = (1n << 64n) - 1n;

export const u8 = fc.integer({ min: 0, max: 0xff });
export const u32 = fc.integer({ min: 0, max: 0xffffffff });
export const u64 = fc.bigInt({ min: 0n, max: MAX_U64 });

/** 1..255 bytes of UTF-8 (any script, emoji included). */
export const name = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 80 })
  .filter((s) => Buffer.byteLength(s, 'utf8') <= 255);

/** What a server may put in a record's name field (it never sends an empty one, but the layout allows it). */
export const recordName = fc.oneof(name, fc.constant(''));

export const identifier: fc.Arbitrary<Identifier> = fc.oneof(u32, name);

export const compression = fc.constantFrom<CompressionAlgorithmValue>(1, 2);

export const topic: fc.Arbitrary<Topic> = fc.record({
  id: u32,
  createdAt: u64,
  partitionsCount: u32,
  messageExpiry: u64,
  compressionAlgorithm: compression,
  maxTopicSize: u64,
  replicationFactor: u8,
  sizeBytes: u64,
  messagesCount: u64,
  name: recordName,
});

export const partition: fc.Arbitrary<Partition> = fc.record({
  id: u32,
  createdAt: u64,
  segmentsCount: u32,
  currentOffset: u64,
  sizeBytes: u64,
  messagesCount: u64,
});

export const topicDetails: fc.Arbitrary<TopicDetails> = fc
  .tuple(topic, fc.array(partition, { maxLength: 8 }))
  .map(([t, partitions]) => ({ ...t, partitions }));

export const stream: fc.Arbitrary<Stream> = fc.record({
  id: u32,
  createdAt: u64,
  topicsCount: u32,
  sizeBytes: u64,
  messagesCount: u64,
  name: recordName,
});

export const streamDetails: fc.Arbitrary<StreamDetails> = fc
  .tuple(stream, fc.array(topic, { maxLength: 6 }))
  .map(([s, topics]) => ({ ...s, topics }));

export const group: fc.Arbitrary<ConsumerGroup> = fc.record({
  id: u32,
  partitionsCount: u32,
  membersCount: u32,
  name: recordName,
});

export const member: fc.Arbitrary<ConsumerGroupMember> = fc.record({
  id: u32,
  partitions: fc.array(u32, { maxLength: 10 }),
});

export const groupDetails: fc.Arbitrary<ConsumerGroupDetails> = fc
  .tuple(group, fc.array(member, { maxLength: 6 }))
  .map(([g, members]) => ({ ...g, members }));
