import { IggyClient } from '../client/iggy-client.js';
import type { IggyClientOptions } from '../client/options.js';
import type { ConsumerOffsetInfo } from '../protocol/commands/consumer-offsets/consumer-offset.layout.js';
import type { TopicDetails } from '../protocol/commands/topics/topic.layout.js';
import { IggyErrorCode } from '../protocol/codes/error-codes.js';
import type { MessageRun } from '../protocol/messages/message-run.js';
import type { Consumer } from '../protocol/primitives/consumer.js';
import { Partitioning } from '../protocol/primitives/partitioning.js';
import { ClientPollSource } from './client-poll-source.js';
import { ConnectorBase } from './connector-base.js';
import type { ConnectorConfig } from './connector-config.js';
import { ConnectorError } from './connector-error.js';
import { iggyCodeOf } from './connector-error-mapping.js';
import type { TopicSpec } from './iggy-connector.js';
import type { PollSource } from './poll-source.js';
import { remoteClientOptions } from './remote-client-options.js';

/** How long a topic's partition count is trusted before it is asked for again. */
const PARTITIONS_TTL_MS = 5_000;

/** Send failures after which the cached partition count of the topic is dropped. */
const TOPIC_CHANGED: ReadonlySet<number> = new Set([
  IggyErrorCode.PartitionNotFound,
  IggyErrorCode.TopicIdNotFound,
  IggyErrorCode.TopicNameNotFound,
  IggyErrorCode.StreamIdNotFound,
  IggyErrorCode.StreamNameNotFound,
]);

interface KnownPartitions {
  count: number | null;
  expiresAt: number;
}

/**
 * A real Iggy server (0.7 binary protocol over TCP or TLS) through `IggyClient`. `config.remote`: the
 * addresses, tried in order on every (re)connect; username/password or a personal access token; TLS.
 * Connections: one for publishing and administration (each batch is one SendMessages to the partition
 * its keys hash to, pipelined: one connection answers in order), and one per subscription (group
 * membership is per connection, and a slow consumer must not hold up publishes). Every connection
 * reconnects and logs in again by itself; a subscription then rejoins its group and resumes from the
 * stored offsets. While a connection is down, its requests wait `remote.offlineTimeoutMs` for it, then
 * fail with `Connection` at once until it is back.
 */
export class RemoteConnector extends ConnectorBase {
  protected readonly label = 'RemoteConnector';
  private client: IggyClient | undefined;
  private options: IggyClientOptions | undefined;
  /** Partition counts by topic (`stream\u0000topic`), and lookups in progress. */
  private readonly partitions = new Map<string, KnownPartitions>();
  private readonly lookups = new Map<string, Promise<number | null>>();

  /** Address of the live publishing connection, e.g. `127.0.0.1:8090`. */
  get address(): string | undefined {
    return this.client?.address;
  }

  protected async open(config: ConnectorConfig): Promise<void> {
    const options = remoteClientOptions(config.remote);
    const client = new IggyClient(options);
    client.on('error', () => undefined); // failed reconnect attempts; requests report their own failures
    try {
      await client.connect();
    } catch (err) {
      await client.close().catch(() => undefined);
      throw err;
    }
    this.client = client;
    this.options = options;
  }

  protected async close(): Promise<void> {
    this.partitions.clear();
    const client = this.client;
    this.client = undefined;
    await client?.close();
  }

  protected override transportUp(): boolean {
    return this.client?.isConnected() ?? false;
  }

  /**
   * From a cache kept `PARTITIONS_TTL_MS` (partitions added meanwhile count from the next lookup; one
   * lookup at a time per topic), dropped when a send says the topic or partition is gone.
   */
  protected partitionsCount(stream: string, topic: string): number | null | Promise<number | null> {
    const id = `${stream}\u0000${topic}`;
    const known = this.partitions.get(id);
    if (known && known.expiresAt > Date.now()) return known.count;
    let lookup = this.lookups.get(id);
    if (!lookup) {
      lookup = this.requireClient()
        .getTopic({ streamId: stream, topicId: topic })
        .then((details) => {
          const count = details?.partitionsCount ?? null;
          this.partitions.set(id, {
            count,
            expiresAt: Date.now() + (count === null ? 0 : PARTITIONS_TTL_MS),
          });
          return count;
        })
        .finally(() => this.lookups.delete(id));
      this.lookups.set(id, lookup);
    }
    return lookup;
  }

  /** One SendMessages, written in call order on the one publishing connection (the run is not copied). */
  protected sendBatch(stream: string, topic: string, partition: number, run: MessageRun): Promise<void> {
    return this.requireClient()
      .sendMessages({
        streamId: stream,
        topicId: topic,
        partitioning: Partitioning.partitionId(partition),
        messages: run,
      })
      .catch((err: unknown) => {
        if (TOPIC_CHANGED.has(iggyCodeOf(err) ?? -1)) this.partitions.delete(`${stream}\u0000${topic}`);
        throw err;
      });
  }

  protected openSource(stream: string, topic: string): Promise<PollSource> {
    return ClientPollSource.open(this.options!, stream, topic);
  }

  protected fetchTopic(stream: string, topic: string): Promise<TopicDetails | null> {
    return this.requireClient().getTopic({ streamId: stream, topicId: topic });
  }

  protected async streamExists(stream: string): Promise<boolean> {
    return (await this.requireClient().getStream({ streamId: stream })) !== null;
  }

  protected async createStream(name: string): Promise<void> {
    await this.requireClient().createStream({ name });
  }

  protected async createTopic(stream: string, spec: TopicSpec): Promise<void> {
    await this.requireClient().createTopic({
      streamId: stream,
      name: spec.name,
      partitionsCount: spec.partitions,
      messageExpiry: spec.messageExpiryMicros ?? 0n,
      maxTopicSize: spec.maxTopicSizeBytes ?? 0n,
      replicationFactor: spec.replicationFactor ?? 1,
    });
  }

  protected readOffset(
    stream: string,
    topic: string,
    consumer: Consumer,
    partition: number,
  ): Promise<ConsumerOffsetInfo | null> {
    return this.requireClient().getOffset({
      streamId: stream,
      topicId: topic,
      consumer,
      partitionId: partition,
    });
  }

  protected writeOffset(
    stream: string,
    topic: string,
    consumer: Consumer,
    partition: number,
    offset: bigint,
  ): Promise<void> {
    return this.requireClient().storeOffset({
      streamId: stream,
      topicId: topic,
      consumer,
      partitionId: partition,
      offset,
    });
  }

  protected roundTrip(): Promise<void> {
    return this.requireClient().ping();
  }

  private requireClient(): IggyClient {
    if (!this.client) throw new ConnectorError('NotConnected', 'RemoteConnector is not connected');
    return this.client;
  }
}
