import type { TopicDetails } from '../protocol/commands/topics/topic.layout.js';
import type { ConsumerOffsetInfo } from '../protocol/commands/consumer-offsets/consumer-offset.layout.js';
import { ConsumerKind, type Consumer } from '../protocol/primitives/consumer.js';
import type { OffsetOwner, PartitionLag, TopicInfo, TopicSpec } from './iggy-connector.js';
import { ConnectorError, type ConnectorErrorKind } from './connector-error.js';

/** A topic as the server describes it, in the connector's terms (an empty partition has no current offset). */
export function toTopicInfo(topic: TopicDetails): TopicInfo {
  return {
    id: topic.id,
    name: topic.name,
    partitionsCount: topic.partitionsCount,
    replicationFactor: topic.replicationFactor,
    messageExpiryMicros: topic.messageExpiry,
    maxTopicSizeBytes: topic.maxTopicSize,
    partitions: topic.partitions.map((p) => ({
      id: p.id,
      currentOffset: p.messagesCount === 0n ? null : p.currentOffset,
      messagesCount: p.messagesCount,
      sizeBytes: p.sizeBytes,
    })),
  };
}

/** The wire consumer that owns an offset: a named consumer or a named group (string identifiers). */
export function ownerConsumer(owner: OffsetOwner): Consumer {
  return {
    kind: owner.kind === 'group' ? ConsumerKind.ConsumerGroup : ConsumerKind.Consumer,
    id: owner.name,
  };
}

/**
 * Lag of one partition: messages after the stored offset (stored = last consumed, inclusive), or every
 * retained message when nothing is stored.
 */
export function partitionLag(
  partition: TopicInfo['partitions'][number],
  stored: ConsumerOffsetInfo | null,
): PartitionLag {
  const current = partition.currentOffset;
  const storedOffset = stored?.storedOffset ?? null;
  let lag: bigint;
  if (current === null) lag = 0n;
  else if (storedOffset === null) lag = partition.messagesCount;
  else lag = current > storedOffset ? current - storedOffset : 0n;
  return { partition: partition.id, currentOffset: current, storedOffset, lag };
}

/** Checks a topic spec before it goes to the server. */
export function checkTopicSpec(stream: string, spec: TopicSpec): void {
  if (!Number.isInteger(spec.partitions) || spec.partitions < 1 || spec.partitions > 1000) {
    throw new ConnectorError(
      'Topology',
      `topic '${spec.name}' of stream '${stream}': partitions must be 1..1000, got ${spec.partitions}`,
    );
  }
}

/** A name (stream, topic, group, consumer) the server accepts: 1..255 bytes of UTF-8. */
export function checkName(what: string, name: string, kind: ConnectorErrorKind = 'Config'): void {
  const bytes = typeof name === 'string' ? Buffer.byteLength(name, 'utf8') : 0;
  if (bytes === 0 || bytes > 255) {
    throw new ConnectorError(kind, `${what} must be 1..255 bytes of UTF-8, got '${String(name)}'`);
  }
}
