import type { Registry } from 'prom-client';
import type { Broker } from '../broker/broker.js';
import type { EmbeddedServer } from '../broker/embedded-server.js';
import type { ConsumerOffsetInfo } from '../protocol/commands/consumer-offsets/consumer-offset.layout.js';
import { Transport } from '../protocol/commands/clients/client.layout.js';
import type { TopicDetails } from '../protocol/commands/topics/topic.layout.js';
import { encodeMessages } from '../protocol/messages/message-batch.js';
import type { Consumer } from '../protocol/primitives/consumer.js';
import { Partitioning } from '../protocol/primitives/partitioning.js';
import { BrokerPollSource } from './broker-poll-source.js';
import { ConnectorBase } from './connector-base.js';
import type { ConnectorConfig } from './connector-config.js';
import { ConnectorError } from './connector-error.js';
import { startEmbeddedServer } from './embedded-runtime.js';
import type { TopicSpec } from './iggy-connector.js';
import type { PollSource } from './poll-source.js';
import type { PublishGroup } from './publish-grouping.js';

/**
 * Iggy in the same process: `connect` opens the embedded broker (`config.embedded`: data directory,
 * persistence, fsync, root credentials) and calls it directly, with no socket and no re-encoding: a
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
  /** The connector's own session (topology, publishes, offsets). */
  private clientId = 0;
  /** Whom the root credentials logged in as; subscriptions get in-process sessions of this user. */
  private userId = 0;

  /** The in-process broker (for inspection and tools); undefined when not connected. */
  get broker(): Broker | undefined {
    return this.server?.broker;
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
   * Starts the broker and logs in once with the configured root credentials (so a data directory made
   * with other credentials is refused with `Auth`); every later session is an in-process one of that
   * user, with no password check.
   */
  protected async open(config: ConnectorConfig): Promise<void> {
    const embedded = config.embedded;
    const server = await startEmbeddedServer(embedded);
    const clientId = server.broker.connectClient(Transport.Tcp, 'embedded-connector');
    let userId: number;
    try {
      ({ userId } = await server.broker.loginUser(clientId, embedded.rootUsername, embedded.rootPassword));
    } catch (err) {
      await server.stop().catch(() => undefined);
      throw err;
    }
    this.server = server;
    this.clientId = clientId;
    this.userId = userId;
  }

  /** Stops the listeners and closes the broker: the data directory is unlocked and the ports are free. */
  protected async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    await server?.stop();
  }

  /** Every send is started synchronously, so the broker appends in call order. */
  protected async sendGroups(groups: PublishGroup[]): Promise<void> {
    const broker = this.requireBroker();
    const sends = groups.map((group) => {
      const run = encodeMessages(group.messages);
      return broker.sendMessages(
        this.clientId,
        group.stream,
        group.topic,
        Partitioning.messagesKey(group.key),
        run,
        group.messages.length,
      );
    });
    await Promise.all(sends);
  }

  /** An in-process session of the connector's user: no password check, so subscribing costs no Argon2. */
  protected async openSource(stream: string, topic: string): Promise<PollSource> {
    return BrokerPollSource.open(this.requireBroker(), this.userId, stream, topic, 'embedded-subscriber');
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
