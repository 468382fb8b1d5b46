import { xxh32 } from '@node-rs/xxhash';
import { BrokerError } from '../broker-error.js';
import { partitionForKey } from '../../protocol/messages/partition-key.js';
import { StorageError } from '../storage/storage-error.js';
import { AppendSignals } from './append-signals.js';
import type { ReadResult } from '../storage/partition-store.js';
import type { Catalog, GroupState, StreamState, TopicState } from '../metadata/catalog.js';
import type { CommittedOffset } from '../metadata/group-membership.js';
import type { PartitionRegistry, PartitionRuntime } from './partition-registry.js';
import type { OffsetOwnerKind } from '../storage/consumer-offset-store.js';
import {
  ConsumerKind,
  PartitioningKind,
  PollingKind,
  type Consumer,
  type ConsumerOffsetInfo,
  type Partitioning,
  type PollResult,
  type PollingStrategy,
  type SendResult,
} from '../types.js';

/** Who owns the offset a poll or an offset command reads or writes, and on which partition. */
interface ResolvedConsumer {
  owner: OffsetOwnerKind;
  /** Numeric consumer id (a string id hashed with XxHash32, as the real server does) or group id. */
  id: number;
  group: GroupState | null;
  partitionId: number;
}

/** Message traffic since start (for stats). */
export interface TrafficCounters {
  readBytes: bigint;
  writtenBytes: bigint;
}

const EMPTY = Buffer.alloc(0);

/**
 * Sends, polls and consumer offsets on resolved (and authorized) streams and topics, following the
 * real server's 0.7.0 handlers: stored offset = last consumed (inclusive), `next` = stored + 1 or the
 * first remaining message, auto-commit stores the last returned offset before the reply.
 */
export class Messaging {
  /** In-process wake-ups for subscribers waiting on a topic (`BrokerSession.onAppend`). */
  readonly appends = new AppendSignals();

  constructor(
    private readonly catalog: Catalog,
    private readonly partitions: PartitionRegistry,
    private readonly traffic: TrafficCounters,
  ) {}

  /** The partition a send goes to: round robin (once per batch), an explicit id, or the key's hash. */
  pickPartition(stream: StreamState, topic: TopicState, partitioning: Partitioning): number {
    const count = topic.partitions.length;
    switch (partitioning.kind) {
      case PartitioningKind.Balanced: {
        if (count === 0) {
          throw BrokerError.of(
            'TopicIdNotFound',
            `topic ${topic.id} of stream ${stream.id} has no partitions`,
          );
        }
        const current = topic.roundRobin % count;
        topic.roundRobin = (current + 1) % count;
        return current;
      }
      case PartitioningKind.PartitionId:
        this.catalog.partition(stream, topic, partitioning.partitionId);
        return partitioning.partitionId;
      case PartitioningKind.MessagesKey: {
        const length = partitioning.key.length;
        if (length === 0 || length > 255) {
          throw BrokerError.of('InvalidKeyValueLength', `messages key must be 1..255 bytes, got ${length}`);
        }
        if (count === 0) {
          throw BrokerError.of(
            'PartitionNotFound',
            `topic ${topic.id} of stream ${stream.id} has no partitions`,
          );
        }
        return partitionForKey(partitioning.key, count);
      }
      default:
        throw BrokerError.of(
          'InvalidCommand',
          `unknown partitioning kind ${(partitioning as { kind: unknown }).kind}`,
        );
    }
  }

  /** Appends a validated batch (message i ends at `ends[i]`); `messages` is stamped in place by the storage layer. */
  async send(
    stream: StreamState,
    topic: TopicState,
    partitioning: Partitioning,
    messages: Buffer,
    ends: Uint32Array,
  ): Promise<SendResult> {
    const partitionId = this.pickPartition(stream, topic, partitioning);
    const runtime = this.runtime(stream, topic, partitionId);
    const result = await storage(runtime.store.append(messages, ends));
    this.traffic.writtenBytes += BigInt(messages.length);
    this.appends.appended(topic, partitionId);
    return { partitionId, firstOffset: result.firstOffset, lastOffset: result.lastOffset };
  }

  async poll(
    clientId: number,
    stream: StreamState,
    topic: TopicState,
    consumer: Consumer,
    partitionId: number | null,
    strategy: PollingStrategy,
    count: number,
    autoCommit: boolean,
  ): Promise<PollResult> {
    const resolved = this.resolveConsumer(clientId, stream, topic, consumer, partitionId, true);
    if (!resolved) return { partitionId: 0, currentOffset: 0n, count: 0, messages: EMPTY };
    const runtime = this.runtime(stream, topic, resolved.partitionId);
    const stats = runtime.store.stats();
    const current = stats.currentOffset ?? 0n;
    const empty: PollResult = {
      partitionId: resolved.partitionId,
      currentOffset: current,
      count: 0,
      messages: EMPTY,
    };
    if (count === 0) return empty;

    const read = await this.read(runtime, resolved, strategy, count, current, stats.firstOffset);
    if (!read || read.count === 0 || read.lastOffset === null) return empty;
    this.traffic.readBytes += BigInt(read.messages.length);
    if (autoCommit) await this.commit(clientId, stream, topic, runtime, resolved, read.lastOffset);
    resolved.group?.membership.recordPolled(resolved.partitionId, read.lastOffset);
    return {
      partitionId: resolved.partitionId,
      currentOffset: current,
      count: read.count,
      messages: read.messages,
    };
  }

  /**
   * StoreConsumerOffset. `checkAgainstLog` (server 0.8): InvalidOffset when the offset is past the
   * partition's current one or the partition never held a message; otherwise (0.7) any offset is accepted.
   */
  async storeOffset(
    clientId: number,
    stream: StreamState,
    topic: TopicState,
    consumer: Consumer,
    partitionId: number | null,
    offset: bigint,
    checkAgainstLog: boolean,
  ): Promise<void> {
    const resolved = this.requireConsumer(clientId, stream, topic, consumer, partitionId);
    const runtime = this.runtime(stream, topic, resolved.partitionId);
    if (checkAgainstLog) {
      const current = runtime.store.stats().currentOffset;
      if (current === null || offset > current) {
        const held = current === null ? 'has never held a message' : `ends at offset ${current}`;
        throw BrokerError.of(
          'InvalidOffset',
          `cannot store offset ${offset}: partition ${resolved.partitionId} ${held}`,
        );
      }
    }
    await this.commit(clientId, stream, topic, runtime, resolved, offset);
  }

  /** GetConsumerOffset: null when nothing is stored or anything is missing (the real server answers empty). */
  getOffset(
    stream: StreamState,
    topic: TopicState,
    consumer: Consumer,
    partitionId: number | null,
  ): ConsumerOffsetInfo | null {
    const pid = partitionId ?? 0;
    let stored: bigint | undefined;
    const runtime = this.partitions.find({ streamId: stream.id, topicId: topic.id, partitionId: pid });
    if (!runtime) return null;
    if (consumer.kind === ConsumerKind.ConsumerGroup) {
      const group = this.catalog.findGroup(topic, consumer.id);
      stored = group ? runtime.offsets.get('group', group.id) : undefined;
    } else {
      stored = runtime.offsets.get('consumer', consumerNumericId(consumer.id));
    }
    if (stored === undefined) return null;
    return {
      partitionId: pid,
      currentOffset: runtime.store.stats().currentOffset ?? 0n,
      storedOffset: stored,
    };
  }

  /** DeleteConsumerOffset: ConsumerOffsetNotFound (3021) when nothing is stored. */
  async deleteOffset(
    clientId: number,
    stream: StreamState,
    topic: TopicState,
    consumer: Consumer,
    partitionId: number | null,
  ): Promise<void> {
    const resolved = this.requireConsumer(clientId, stream, topic, consumer, partitionId);
    const runtime = this.runtime(stream, topic, resolved.partitionId);
    if (!(await runtime.offsets.delete(resolved.owner, resolved.id))) {
      throw BrokerError.of(
        'ConsumerOffsetNotFound',
        `no offset stored for ${resolved.owner} ${resolved.id} on partition ${resolved.partitionId}`,
      );
    }
  }

  /** The group's committed offset per partition (for cooperative hand-over). */
  committed(stream: StreamState, topic: TopicState, group: GroupState): CommittedOffset {
    return (partitionId) =>
      this.partitions
        .find({ streamId: stream.id, topicId: topic.id, partitionId })
        ?.offsets.get('group', group.id);
  }

  /** The partition's log and offsets: PartitionNotFound (3007) when the topic has no such partition. */
  runtime(stream: StreamState, topic: TopicState, partitionId: number): PartitionRuntime {
    this.catalog.partition(stream, topic, partitionId);
    return this.partitions.get({ streamId: stream.id, topicId: topic.id, partitionId });
  }

  private async read(
    runtime: PartitionRuntime,
    resolved: ResolvedConsumer,
    strategy: PollingStrategy,
    count: number,
    current: bigint,
    first: bigint | null,
  ): Promise<ReadResult | null> {
    let start: bigint;
    switch (strategy.kind) {
      case PollingKind.Timestamp:
        return storage(runtime.store.readFromTimestamp(strategy.value, count));
      case PollingKind.Offset:
        start = strategy.value;
        break;
      case PollingKind.First:
        start = first ?? 0n;
        break;
      case PollingKind.Last: {
        const wanted = BigInt(count) > current + 1n ? current + 1n : BigInt(count);
        start = current + 1n - wanted;
        break;
      }
      case PollingKind.Next: {
        const stored = runtime.offsets.get(resolved.owner, resolved.id);
        start = stored === undefined ? (first ?? 0n) : stored + 1n;
        break;
      }
      default:
        throw BrokerError.of(
          'InvalidCommand',
          `unknown polling kind ${(strategy as { kind: unknown }).kind}`,
        );
    }
    if (start > current) return null;
    return storage(runtime.store.readFromOffset(start, count));
  }

  private async commit(
    clientId: number,
    stream: StreamState,
    topic: TopicState,
    runtime: PartitionRuntime,
    resolved: ResolvedConsumer,
    offset: bigint,
  ): Promise<void> {
    await runtime.offsets.set(resolved.owner, resolved.id, offset);
    if (resolved.group) {
      resolved.group.membership.offsetStored(
        clientId,
        resolved.partitionId,
        this.committed(stream, topic, resolved.group),
      );
    }
  }

  private requireConsumer(
    clientId: number,
    stream: StreamState,
    topic: TopicState,
    consumer: Consumer,
    partitionId: number | null,
  ): ResolvedConsumer {
    const resolved = this.resolveConsumer(clientId, stream, topic, consumer, partitionId, false);
    if (!resolved) {
      throw BrokerError.of(
        'NotResolvedConsumer',
        `consumer group member ${clientId} has no partition to use`,
      );
    }
    return resolved;
  }

  /**
   * A single consumer reads the given partition (0 when omitted). A group member must have joined
   * (ConsumerGroupMemberNotFound otherwise) and reads its own partitions; null when it has none (or
   * asked for one it does not own).
   */
  private resolveConsumer(
    clientId: number,
    stream: StreamState,
    topic: TopicState,
    consumer: Consumer,
    partitionId: number | null,
    advance: boolean,
  ): ResolvedConsumer | null {
    if (consumer.kind !== ConsumerKind.ConsumerGroup) {
      return {
        owner: 'consumer',
        id: consumerNumericId(consumer.id),
        group: null,
        partitionId: partitionId ?? 0,
      };
    }
    const group = this.catalog.group(topic, consumer.id);
    const resolved = group.membership.resolve(clientId, partitionId, advance);
    if (resolved === undefined) {
      throw BrokerError.of(
        'ConsumerGroupMemberNotFound',
        `client ${clientId} is not a member of consumer group ${group.id} (topic ${topic.id}, stream ${stream.id})`,
      );
    }
    if (resolved === null) return null;
    return { owner: 'group', id: group.id, group, partitionId: resolved };
  }
}

/** A consumer's numeric id: the number itself, or XxHash32 (seed 0) of a string id's UTF-8 bytes. */
export function consumerNumericId(id: number | string): number {
  return typeof id === 'number' ? id : xxh32(Buffer.from(id, 'utf8'), 0);
}

/** Runs a storage call, turning a StorageError into a BrokerError with the same Iggy code. */
export async function storage<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof StorageError) throw new BrokerError(error.code, error.message);
    throw error;
  }
}
