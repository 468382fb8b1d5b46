import type { CommandCodec } from '../../../lib/protocol/command-codec.js';
import { codecsByCode } from '../../../lib/protocol/commands/registry.js';
import { CommandCode, type CommandName } from '../../../lib/protocol/codes/command-codes.js';
import { encodeRequestFrame } from '../../../lib/protocol/framing.js';
import { ConsumerKind } from '../../../lib/protocol/primitives/consumer.js';
import { Partitioning } from '../../../lib/protocol/primitives/partitioning.js';
import { PollingStrategy } from '../../../lib/protocol/primitives/polling-strategy.js';
import { Header, stringKeyedHeaders } from '../../../lib/protocol/primitives/user-headers.js';

/** Where the sample requests point (the fuzz user's own stream, topic and group). */
export interface SampleTarget {
  streamId: number;
  topicId: number;
  groupId: number;
  userId: number;
}

/** One valid request of every command, aimed at `t`: what the fuzzer mutates. */
export function sampleRequests(t: SampleTarget): Record<CommandName, unknown> {
  const topic = { streamId: t.streamId, topicId: t.topicId };
  const offsetTarget = { ...topic, consumer: { kind: ConsumerKind.Consumer, id: 'fuzz' }, partitionId: 0 };
  return {
    Ping: undefined,
    GetStats: undefined,
    GetSnapshot: { compression: 1, types: [4] },
    GetClusterMetadata: undefined,
    GetMe: undefined,
    GetClient: { clientId: 1 },
    GetClients: undefined,
    GetUser: { userId: t.userId },
    GetUsers: undefined,
    CreateUser: { username: 'someone', password: 'secret', status: 1 },
    DeleteUser: { userId: 'someone' },
    UpdateUser: { userId: 'someone', status: 2 },
    UpdatePermissions: { userId: 'someone' },
    ChangePassword: { userId: 'someone', currentPassword: 'secret', newPassword: 'secret2' },
    LoginUser: { username: 'nobody', password: 'nothing' },
    LogoutUser: undefined,
    GetAccessTokens: undefined,
    CreateAccessToken: { name: 'fuzz-token', expiry: 0n },
    DeleteAccessToken: { name: 'fuzz-token' },
    LoginWithAccessToken: { token: 'not-a-token' },
    PollMessages: { ...offsetTarget, strategy: PollingStrategy.offset(0n), count: 10, autoCommit: true },
    SendMessages: {
      ...topic,
      partitioning: Partitioning.balanced(),
      messages: [
        { payload: Buffer.from('one'), id: 1n },
        { payload: Buffer.from('two'), headers: stringKeyedHeaders({ k: Header.string('v') }) },
      ],
    },
    FlushUnsavedBuffer: { ...topic, partitionId: 0, fsync: false },
    GetOffset: offsetTarget,
    StoreOffset: { ...offsetTarget, offset: 1n },
    DeleteConsumerOffset: offsetTarget,
    GetStream: { streamId: t.streamId },
    GetStreams: undefined,
    CreateStream: { name: 'fuzz-other' },
    DeleteStream: { streamId: 'fuzz-other' },
    UpdateStream: { streamId: t.streamId, name: 'fuzz' },
    PurgeStream: { streamId: t.streamId },
    GetTopic: topic,
    GetTopics: { streamId: t.streamId },
    CreateTopic: {
      streamId: t.streamId,
      name: 'extra',
      partitionsCount: 2,
      compressionAlgorithm: 1,
      messageExpiry: 0n,
      maxTopicSize: 0n,
      replicationFactor: 1,
    },
    DeleteTopic: { streamId: t.streamId, topicId: 'extra' },
    UpdateTopic: {
      ...topic,
      name: 'events',
      compressionAlgorithm: 1,
      messageExpiry: 0n,
      maxTopicSize: 0n,
      replicationFactor: 1,
    },
    PurgeTopic: topic,
    CreatePartitions: { ...topic, partitionsCount: 1 },
    DeletePartitions: { ...topic, partitionsCount: 1 },
    DeleteSegments: { ...topic, partitionId: 0, segmentsCount: 1 },
    GetConsumerGroup: { ...topic, groupId: t.groupId },
    GetConsumerGroups: topic,
    CreateConsumerGroup: { ...topic, name: 'other-group' },
    DeleteConsumerGroup: { ...topic, groupId: 'other-group' },
    JoinConsumerGroup: { ...topic, groupId: t.groupId },
    LeaveConsumerGroup: { ...topic, groupId: t.groupId },
  };
}

/** A valid request frame of every command (framing included). */
export function sampleFrames(t: SampleTarget): Buffer[] {
  const requests = sampleRequests(t);
  return (Object.keys(CommandCode) as CommandName[]).map((name) => {
    const codec = codecsByCode.get(CommandCode[name]) as CommandCodec<unknown, unknown>;
    return encodeRequestFrame(codec.code, codec.encodeRequest(requests[name]));
  });
}
