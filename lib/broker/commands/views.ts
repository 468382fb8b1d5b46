import type { GroupState, StreamState, TopicState } from '../metadata/catalog.js';
import type { PartitionRegistry } from '../partitions/partition-registry.js';
import type {
  CompressionAlgorithmValue,
  ConsumerGroup,
  ConsumerGroupDetails,
  ConsumerGroupMember,
  Partition,
  Stream,
  StreamDetails,
  Topic,
  TopicDetails,
} from '../types.js';

/** A group member as the broker reports it: the protocol's record plus the client it stands for. */
export interface GroupMemberView extends ConsumerGroupMember {
  clientId: number;
}

export interface ConsumerGroupView extends ConsumerGroupDetails {
  members: GroupMemberView[];
}

/**
 * The protocol's records (what GetStream, GetTopic, GetConsumerGroup… answer) built from the broker's
 * state and the partitions' live figures.
 */
export class Views {
  constructor(private readonly partitions: PartitionRegistry) {}

  partition(stream: StreamState, topic: TopicState, partitionId: number): Partition {
    const runtime = this.partitions.find({ streamId: stream.id, topicId: topic.id, partitionId });
    const stats = runtime?.store.stats();
    return {
      id: partitionId,
      createdAt: topic.partitions[partitionId].createdAt,
      segmentsCount: stats?.segmentsCount ?? 0,
      currentOffset: stats?.currentOffset ?? 0n,
      sizeBytes: stats?.sizeBytes ?? 0n,
      messagesCount: stats?.messagesCount ?? 0n,
    };
  }

  topic(stream: StreamState, topic: TopicState): Topic {
    let sizeBytes = 0n;
    let messagesCount = 0n;
    for (const p of this.partitionsOf(stream, topic)) {
      sizeBytes += p.sizeBytes;
      messagesCount += p.messagesCount;
    }
    return {
      id: topic.id,
      createdAt: topic.createdAt,
      partitionsCount: topic.partitions.length,
      messageExpiry: topic.messageExpiry,
      compressionAlgorithm: topic.compressionAlgorithm as CompressionAlgorithmValue,
      maxTopicSize: topic.maxTopicSize,
      replicationFactor: topic.replicationFactor,
      sizeBytes,
      messagesCount,
      name: topic.name,
    };
  }

  topicDetails(stream: StreamState, topic: TopicState): TopicDetails {
    return { ...this.topic(stream, topic), partitions: this.partitionsOf(stream, topic) };
  }

  stream(stream: StreamState): Stream {
    let sizeBytes = 0n;
    let messagesCount = 0n;
    for (const topic of stream.topics.values()) {
      const t = this.topic(stream, topic);
      sizeBytes += t.sizeBytes;
      messagesCount += t.messagesCount;
    }
    return {
      id: stream.id,
      createdAt: stream.createdAt,
      topicsCount: stream.topics.size,
      sizeBytes,
      messagesCount,
      name: stream.name,
    };
  }

  streamDetails(stream: StreamState): StreamDetails {
    return { ...this.stream(stream), topics: [...stream.topics.values()].map((t) => this.topic(stream, t)) };
  }

  group(topic: TopicState, group: GroupState): ConsumerGroup {
    return {
      id: group.id,
      partitionsCount: topic.partitions.length,
      membersCount: group.membership.size,
      name: group.name,
    };
  }

  groupDetails(topic: TopicState, group: GroupState): ConsumerGroupView {
    return {
      ...this.group(topic, group),
      members: group.membership
        .list()
        .map((m) => ({ id: m.id, clientId: m.clientId, partitions: [...m.partitions] })),
    };
  }

  private partitionsOf(stream: StreamState, topic: TopicState): Partition[] {
    return topic.partitions.map((_, id) => this.partition(stream, topic, id));
  }
}
