import type { ConnectorConfig, ConnectorConfigInput } from './connector-config.js';
import type { MessageSubscriber, SubscribeOptions } from './message-subscriber.js';
import type { PublishRequest } from './publish-request.js';

/** What a topic should look like (topology). */
export interface TopicSpec {
  name: string;
  partitions: number;
  replicationFactor?: number;
  /** µs; `undefined`/0 = server default (never). */
  messageExpiryMicros?: bigint;
  /** Bytes; `undefined`/0 = server default (unlimited). */
  maxTopicSizeBytes?: bigint;
}

export interface PartitionInfo {
  id: number;
  /** Offset of the last message; `null` when the partition never held one. */
  currentOffset: bigint | null;
  messagesCount: bigint;
  sizeBytes: bigint;
}

export interface TopicInfo {
  id: number;
  name: string;
  partitionsCount: number;
  replicationFactor: number;
  messageExpiryMicros: bigint;
  maxTopicSizeBytes: bigint;
  partitions: PartitionInfo[];
}

/** Who owns a stored offset. */
export type OffsetOwner = { kind: 'consumer'; name: string } | { kind: 'group'; name: string };

export interface PartitionLag {
  partition: number;
  currentOffset: bigint | null;
  /** Last consumed offset stored for the owner; `null` when none. */
  storedOffset: bigint | null;
  /** Messages not yet consumed. */
  lag: bigint;
}

/**
 * One contract over two ways of reaching Iggy (in-process broker, remote server), so the layers above
 * never know which they have. Every method fails with a `ConnectorError`.
 */
export interface IggyConnector {
  /** Connects with `config`; anything left out gets its default (`resolveConnectorConfig`). */
  connect(config?: ConnectorConfigInput): Promise<void>;
  isConnected(): boolean;
  publish(request: PublishRequest): Promise<void>;
  /** One round trip per (stream, topic, partition key) group; order within a key is kept. */
  publishBatch(requests: PublishRequest[]): Promise<void>;
  subscribe(
    stream: string,
    topic: string,
    partition: number,
    options?: SubscribeOptions,
  ): Promise<MessageSubscriber>;
  subscribeGroup(
    stream: string,
    topic: string,
    group: string,
    options?: SubscribeOptions,
  ): Promise<MessageSubscriber>;
  storeOffset(
    stream: string,
    topic: string,
    owner: OffsetOwner,
    partition: number,
    offset: bigint,
  ): Promise<void>;
  /** Stored offsets and lag of a consumer or group, per partition. */
  consumerLag(stream: string, topic: string, owner: OffsetOwner): Promise<PartitionLag[]>;
  /** Round-trip latency in ms. */
  ping(): Promise<number>;
  shutdown(): Promise<void>;

  /** Creates the stream when missing ("already exists" from a racing peer is success). */
  ensureStream(name: string): Promise<void>;
  /** Creates the topic when missing; an existing topic is left as it is. */
  ensureTopic(stream: string, spec: TopicSpec): Promise<void>;
  getTopic(stream: string, topic: string): Promise<TopicInfo | null>;
  /** The config `connect` was given (after defaults). */
  readonly config: ConnectorConfig | undefined;
  /**
   * The Iggy server version behind the connector (`0.8.0`; the embedded broker's own, e.g.
   * `0.8.0-embedded`); null when unknown (not connected, or the server would not tell this user).
   */
  readonly serverVersion?: string | null;
  /**
   * Tells `listener` each time the publishing connection is back after it was lost (a remote server that
   * restarted); an embedded connector never loses it. Returns what stops telling.
   */
  onReconnect?(listener: () => void): () => void;
}
