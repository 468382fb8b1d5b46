import type { Registry } from 'prom-client';
import type { Broker } from '../broker/broker.js';
import type { EmbeddedServer } from '../broker/embedded-server.js';
import type { BrokerHttpServer } from '../broker/http/http-server.js';
import { ROOT_USER_ID } from '../broker/state/users.js';
import type { ConsumerOffsetInfo } from '../protocol/commands/consumer-offsets/consumer-offset.layout.js';
import type { TopicDetails } from '../protocol/commands/topics/topic.layout.js';
import type { MessageRun } from '../protocol/messages/message-run.js';
import type { Consumer } from '../protocol/primitives/consumer.js';
import { Partitioning } from '../protocol/primitives/partitioning.js';
import { BrokerPollSource } from './broker-poll-source.js';
import { ConnectorBase } from './connector-base.js';
import type { ConnectorConfig } from './connector-config.js';
import { ConnectorError } from './connector-error.js';
import { startEmbeddedServer } from './embedded-runtime.js';
import type { TopicSpec } from './iggy-connector.js';
import type { PollSource } from './poll-source.js';

/**
 * Iggy in the same process: `connect` opens the embedded broker (`config.embedded`: data directory,
 * persistence, fsync, root credentials for network clients) and calls it directly, with no socket and no re-encoding: a
 * publish encodes its messages once into the wire layout the broker stamps and stores, a subscriber
 * decodes the bytes the broker's poll returns. Optional TCP and HTTP listeners (`embedded.tcpPort`,
 * `embedded.httpPort`; `0` = ephemeral, `null` = off) let the `iggy` CLI and other services reach the
 * same data; `tcpPort` / `httpPort` tell where they are bound. One data directory serves one
 * connector: a second one on the same directory fails with `Config`, naming the lock holder.
 *
 * ```ts
 * const connector = new EmbeddedConnector();
 * await connector.connect(resolveConnectorConfig({ embedded: { dataDir: './data/iggy', tcpPort: 0 } }));
 * ```
 */
export class EmbeddedConnector extends ConnectorBase {
  protected readonly label = 'EmbeddedConnector';
  private server: EmbeddedServer | undefined;
  /** The connector's own in-process session of the root user (topology, publishes, offsets). */
  private clientId = 0;

  /** The in-process broker (for inspection and tools); undefined when not connected. */
  get broker(): Broker | undefined {
    return this.server?.broker;
  }

  /** The dashboard of the HTTP listener (`/`); undefined when there is none (or not connected). */
  get httpDashboard(): BrokerHttpServer['dashboard'] | undefined {
    return this.server?.http?.dashboard;
  }

  /** The version the embedded broker reports (`BrokerConfig.serverVersion`); null when not connected. */
  get serverVersion(): string | null {
    return this.server?.broker.config.serverVersion ?? null;
  }

  /** Where the TCP listener is bound; null when there is none (or not connected). */
  get tcpPort(): number | null {
    return this.server?.tcp?.address.port ?? null;
  }

  /** The broker's Prometheus registry (served on its HTTP `/metrics`); undefined without an HTTP listener. */
  get metricsRegistry(): Registry | undefined {
    return this.server?.http?.metrics.registry;
  }

  /** Where the HTTP listener is bound; null when there is none (or not connected). */
  get httpPort(): number | null {
    return this.server?.httpAddress?.port ?? null;
  }

  /**
   * Starts the broker (which applies the configured root credentials, see `BrokerConfig.rootPassword`)
   * and opens an in-process session of the root user: the process owns the data directory, so no
   * password is checked (nor needed: it is random unless configured).
   */
  protected async open(config: ConnectorConfig): Promise<void> {
    const server = await startEmbeddedServer(config.embedded);
    this.clientId = server.broker.connectInternalClient(ROOT_USER_ID, 'embedded-connector');
    this.server = server;
  }

  /** Stops the listeners and closes the broker: the data directory is unlocked and the ports are free. */
  protected async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    await server?.stop();
  }

  /** An in-process lookup: the answer is there at once. */
  protected partitionsCount(stream: string, topic: string): number | null {
    return this.requireBroker().getTopic(this.clientId, stream, topic)?.partitionsCount ?? null;
  }

  /** The broker stamps the run in place and appends it; started synchronously, so appends keep call order. */
  protected async sendBatch(
    stream: string,
    topic: string,
    partition: number,
    run: MessageRun,
  ): Promise<void> {
    await this.requireBroker().sendMessages(
      this.clientId,
      stream,
      topic,
      Partitioning.partitionId(partition),
      run.bytes,
      run.count,
    );
  }

  /** An in-process session of the connector's user: no password check, so subscribing costs no Argon2. */
  protected async openSource(stream: string, topic: string): Promise<PollSource> {
    return BrokerPollSource.open(this.requireBroker(), ROOT_USER_ID, stream, topic, 'embedded-subscriber');
  }

  protected async fetchTopic(stream: string, topic: string): Promise<TopicDetails | null> {
    return this.requireBroker().getTopic(this.clientId, stream, topic);
  }

  protected async streamExists(stream: string): Promise<boolean> {
    return this.requireBroker().getStream(this.clientId, stream) !== null;
  }

  protected async createStream(name: string): Promise<void> {
    await this.requireBroker().createStream(this.clientId, name);
  }

  protected async createTopic(stream: string, spec: TopicSpec): Promise<void> {
    await this.requireBroker().createTopic(this.clientId, stream, {
      name: spec.name,
      partitionsCount: spec.partitions,
      messageExpiry: spec.messageExpiryMicros ?? 0n,
      maxTopicSize: spec.maxTopicSizeBytes ?? 0n,
      replicationFactor: spec.replicationFactor ?? 1,
    });
  }

  protected async readOffset(
    stream: string,
    topic: string,
    consumer: Consumer,
    partition: number,
  ): Promise<ConsumerOffsetInfo | null> {
    return this.requireBroker().getConsumerOffset(this.clientId, {
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
    return this.requireBroker().storeConsumerOffset(this.clientId, {
      streamId: stream,
      topicId: topic,
      consumer,
      partitionId: partition,
      offset,
    });
  }

  protected async roundTrip(): Promise<void> {
    this.requireBroker().getMe(this.clientId);
  }

  private requireBroker(): Broker {
    if (!this.server) throw new ConnectorError('NotConnected', 'EmbeddedConnector is not connected');
    return this.server.broker;
  }
}
