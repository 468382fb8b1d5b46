import { createIggyClient } from '../client/client-factory.js';
import type { IggyClient } from '../client/iggy-client.js';
import type { IggyClientOptions } from '../client/options.js';
import type { ConsumerOffsetInfo } from '../protocol/commands/consumer-offsets/consumer-offset.layout.js';
import type { TopicDetails } from '../protocol/commands/topics/topic.layout.js';
import type { MessageRun } from '../protocol/messages/message-run.js';
import type { Consumer } from '../protocol/primitives/consumer.js';
import { Partitioning } from '../protocol/primitives/partitioning.js';
import { ClientPollSource } from './client-poll-source.js';
import { ConnectorBase } from './connector-base.js';
import type { ConnectorConfig } from './connector-config.js';
import { ConnectorError } from './connector-error.js';
import type { TopicSpec } from './iggy-connector.js';
import type { PollSource } from './poll-source.js';
import { remoteClientOptions } from './remote-client-options.js';

/**
 * A real Iggy server (0.7 or 0.8: the binary protocol over TCP or TLS, or, with `remote.protocol:
 * 'http'`, its HTTP API, where consumer groups are not available) through `IggyClient`. `config.remote`: the
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
  }

  protected async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.close();
  }

  protected override transportUp(): boolean {
    return this.client?.isConnected() ?? false;
  }

  protected async partitionsCount(stream: string, topic: string): Promise<number | null> {
    const details = await this.requireClient().getTopic({ streamId: stream, topicId: topic });
    return details?.partitionsCount ?? null;
  }

  /** One SendMessages, written in call order on the one publishing connection (the run is not copied). */
  protected sendBatch(stream: string, topic: string, partition: number, run: MessageRun): Promise<void> {
    return this.requireClient().sendMessages({
      streamId: stream,
      topicId: topic,
      partitioning: Partitioning.partitionId(partition),
      messages: run,
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
