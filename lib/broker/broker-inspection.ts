import type { BrokerState } from './broker-state.js';
import type { Partition, Stream, Topic } from './types.js';

/** A consumer group's position on one partition. */
export interface GroupPartitionOffset {
  partitionId: number;
  /** The group's stored offset (last consumed, inclusive); null when the group never stored one. */
  storedOffset: bigint | null;
  /**
   * Messages the group has not consumed yet: partition current offset − stored offset (never below 0);
   * without a stored offset, every message the partition holds.
   */
  lag: bigint;
}

/** A group member: its member id, the client (connection) behind it, its assigned partitions. */
export interface GroupMemberOverview {
  id: number;
  clientId: number;
  partitions: number[];
}

export interface ConsumerGroupOverview {
  id: number;
  name: string;
  members: GroupMemberOverview[];
  /** One entry per partition of the topic. */
  offsets: GroupPartitionOffset[];
}

export interface TopicOverview extends Topic {
  partitions: Partition[];
  consumerGroups: ConsumerGroupOverview[];
}

export interface StreamOverview extends Stream {
  topics: TopicOverview[];
}

/** Everything the broker holds, read without a session: what the HTTP stats API and metrics show. */
export interface BrokerOverview {
  streams: StreamOverview[];
  /** Connected clients (TCP connections and in-process connectors). */
  clientsCount: number;
  /** Message bytes returned by polls since start. */
  readBytes: bigint;
  /** Message bytes appended by sends since start. */
  writtenBytes: bigint;
}

/** Builds the overview from the broker's state (read-only, synchronous). */
export function inspectBroker(
  ctx: Pick<BrokerState, 'catalog' | 'views' | 'partitions' | 'clients' | 'traffic'>,
): BrokerOverview {
  const streams: StreamOverview[] = [];
  for (const stream of ctx.catalog.streams.values()) {
    const topics: TopicOverview[] = [];
    for (const topic of stream.topics.values()) {
      const details = ctx.views.topicDetails(stream, topic);
      const consumerGroups: ConsumerGroupOverview[] = [];
      for (const group of topic.groups.values()) {
        const offsets = details.partitions.map((p): GroupPartitionOffset => {
          const stored = ctx.partitions
            .find({ streamId: stream.id, topicId: topic.id, partitionId: p.id })
            ?.offsets.get('group', group.id);
          if (stored === undefined) return { partitionId: p.id, storedOffset: null, lag: p.messagesCount };
          const lag = p.currentOffset > stored ? p.currentOffset - stored : 0n;
          return { partitionId: p.id, storedOffset: stored, lag };
        });
        consumerGroups.push({
          id: group.id,
          name: group.name,
          members: group.membership
            .list()
            .map((m) => ({ id: m.id, clientId: m.clientId, partitions: [...m.partitions] })),
          offsets,
        });
      }
      topics.push({ ...details, consumerGroups });
    }
    streams.push({ ...ctx.views.stream(stream), topics });
  }
  return {
    streams,
    clientsCount: ctx.clients.size,
    readBytes: ctx.traffic.readBytes,
    writtenBytes: ctx.traffic.writtenBytes,
  };
}
