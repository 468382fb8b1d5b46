import { createIggyClient } from '../client/client-factory.js';
import type { IggyClient } from '../client/iggy-client.js';
import type { IggyClientOptions } from '../client/options.js';
import { Producer } from '../client/producer.js';
import type { ConsumerOffsetInfo } from '../protocol/commands/consumer-offsets/consumer-offset.layout.js';
import type { TopicDetails } from '../protocol/commands/topics/topic.layout.js';
import type { OutgoingMessage } from '../protocol/messages/message-batch.js';
import type { Consumer } from '../protocol/primitives/consumer.js';
import { Partitioning } from '../protocol/primitives/partitioning.js';
import { ClientPollSource } from './client-poll-source.js';
import { ConnectorBase } from './connector-base.js';
import type { ConnectorConfig } from './connector-config.js';
import { ConnectorError } from './connector-error.js';
import type { TopicSpec } from './iggy-connector.js';
import type { PollSource } from './poll-source.js';
import type { PublishGroup } from './publish-grouping.js';
import { remoteClientOptions } from './remote-client-options.js';

/** Batches of one producer on the wire at once (order per partition holds: one connection, FIFO). */
const MAX_IN_FLIGHT_BATCHES = 16;

/**
 * A real Iggy server (0.7 or 0.8: the binary protocol over TCP or TLS, or, with `remote.protocol:
 * 'http'`, its HTTP API, where consumer groups are not available) through `IggyClient`. `config.remote`: the
 * addresses, tried in order on every (re)connect; username/password or a personal access token; TLS.
 * Connections: one for publishing and administration (publishes go through a batching `Producer`, one
 * per topic, messages-key partitioning), and one per subscription (group membership is per connection,
 * and a slow consumer must not hold up publishes). Every connection reconnects and logs in again by
 * itself; a subscription then rejoins its group and resumes from the stored offsets.
 */
export class RemoteConnector extends ConnectorBase {
  protected readonly label = 'RemoteConnector';
  private client: IggyClient | undefined;
  private options: IggyClientOptions | undefined;
  private lingerMs = 0;
  private readonly producers = new Map<string, Producer>();
  /** The partition key of each message handed to a producer. */
  private readonly keys = new WeakMap<OutgoingMessage, string>();

  /** As the server reported it after the publishing connection's last login (see `IggyClient.serverVersion`). */
  get serverVersion(): string | null {
    return this.client?.serverVersion ?? null;
  }

  /** Address of the live publishing connection, e.g. `127.0.0.1:8090`. */
  get address(): string | undefined {
    return this.client?.address;
  }

  protected async open(config: ConnectorConfig): Promise<void> {
    const options = remoteClientOptions(config.remote);
    const lingerMs = config.remote.lingerMs ?? 0;
    if (!(lingerMs >= 0)) throw new ConnectorError('Config', `remote.lingerMs must be >= 0, got ${lingerMs}`);
    const client = createIggyClient(options);
    client.on('error', () => undefined); // failed reconnect attempts; requests report their own failures
    try {
      await client.connect();
    } catch (err) {
      await client.close().catch(() => undefined);
      throw err;
    }
    this.client = client;
    this.options = options;
    this.lingerMs = lingerMs;
  }

  protected async close(): Promise<void> {
    const producers = [...this.producers.values()];
    this.producers.clear();
    await Promise.all(producers.map((p) => p.close()));
    const client = this.client;
    this.client = undefined;
    await client?.close();
  }

  protected override transportUp(): boolean {
    return this.client?.isConnected() ?? false;
  }

  /**
   * A group of several messages whose producer holds nothing goes out as one SendMessages right away
   * (already a batch; nothing queued ahead of it, so the order per key holds); everything else goes
   * through the topic's batching `Producer`.
   */
  protected async sendGroups(groups: PublishGroup[]): Promise<void> {
    const client = this.requireClient();
    const sends: Promise<void>[] = [];
    const touched = new Set<Producer>();
    for (const group of groups) {
      const producer = this.producerFor(group.stream, group.topic);
      if (group.messages.length > 1 && producer.pending === 0) {
        sends.push(
          client.sendMessages({
            streamId: group.stream,
            topicId: group.topic,
            partitioning: Partitioning.messagesKey(group.key),
            messages: group.messages,
          }),
        );
        continue;
      }
      touched.add(producer);
      for (const message of group.messages) {
        this.keys.set(message, group.key);
        sends.push(producer.send(message));
      }
    }
    // With no linger, what is queued goes out now; otherwise a publish may wait `lingerMs` for company.
    if (this.lingerMs === 0) for (const producer of touched) void producer.flush();
    await Promise.all(sends);
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

  private producerFor(stream: string, topic: string): Producer {
    const id = JSON.stringify([stream, topic]);
    let producer = this.producers.get(id);
    if (!producer) {
      producer = new Producer(this.requireClient(), {
        streamId: stream,
        topicId: topic,
        partitioning: { key: (message) => this.keys.get(message)! },
        lingerMs: this.lingerMs,
        maxInFlightBatches: MAX_IN_FLIGHT_BATCHES,
      });
      this.producers.set(id, producer);
    }
    return producer;
  }

  private requireClient(): IggyClient {
    if (!this.client) throw new ConnectorError('NotConnected', 'RemoteConnector is not connected');
    return this.client;
  }
}
