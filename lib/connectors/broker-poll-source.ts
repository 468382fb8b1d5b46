import type { Broker } from '../broker/broker.js';
import { isBrokerError } from '../broker/broker-error.js';
import { decodeMessages } from '../protocol/messages/message-walk.js';
import { Transport } from '../protocol/commands/clients/client.layout.js';
import type { Consumer } from '../protocol/primitives/consumer.js';
import type { PollingStrategy } from '../protocol/primitives/polling-strategy.js';
import type { PolledBatch, PollSource } from './poll-source.js';

/** How an in-process session logs in. */
export interface BrokerCredentials {
  username: string;
  password: string;
}

/**
 * An in-process broker session (one broker client id) for one subscription: polls read the broker's
 * result and decode it in place (payloads are views into the bytes the broker read), nothing crosses a
 * socket. Closing disconnects the client, which leaves its groups.
 */
export class BrokerPollSource implements PollSource {
  readonly epoch = 0;

  private constructor(
    private readonly broker: Broker,
    private readonly clientId: number,
    private readonly stream: string,
    private readonly topic: string,
  ) {}

  /** Opens a logged-in session. */
  static async open(
    broker: Broker,
    credentials: BrokerCredentials,
    stream: string,
    topic: string,
    label: string,
  ): Promise<BrokerPollSource> {
    const clientId = broker.connectClient(Transport.Tcp, label);
    try {
      await broker.loginUser(clientId, credentials.username, credentials.password);
    } catch (err) {
      broker.disconnectClient(clientId);
      throw err;
    }
    return new BrokerPollSource(broker, clientId, stream, topic);
  }

  async poll(
    consumer: Consumer,
    partitionId: number | null,
    strategy: PollingStrategy,
    count: number,
  ): Promise<PolledBatch> {
    const result = await this.broker.pollMessages(this.clientId, {
      streamId: this.stream,
      topicId: this.topic,
      consumer,
      partitionId,
      strategy,
      count,
      autoCommit: false,
    });
    return {
      partitionId: result.partitionId,
      messages: result.count === 0 ? [] : decodeMessages(result.messages, result.count),
    };
  }

  storeOffset(consumer: Consumer, partitionId: number, offset: bigint): Promise<void> {
    return this.broker.storeConsumerOffset(this.clientId, {
      streamId: this.stream,
      topicId: this.topic,
      consumer,
      partitionId,
      offset,
    });
  }

  async joinGroup(group: string): Promise<void> {
    await ensureBrokerGroup(this.broker, this.clientId, this.stream, this.topic, group);
    this.broker.joinConsumerGroup(this.clientId, this.stream, this.topic, group);
  }

  async leaveGroup(group: string): Promise<void> {
    this.broker.leaveConsumerGroup(this.clientId, this.stream, this.topic, group);
  }

  async close(): Promise<void> {
    this.broker.disconnectClient(this.clientId);
  }

  isTransient(): boolean {
    return false;
  }
}

/** Creates the group when missing; a racing create ("already exists") is success. */
export async function ensureBrokerGroup(
  broker: Broker,
  clientId: number,
  stream: string,
  topic: string,
  group: string,
): Promise<void> {
  if (broker.getConsumerGroup(clientId, stream, topic, group)) return;
  try {
    await broker.createConsumerGroup(clientId, stream, topic, group);
  } catch (err) {
    if (!isBrokerError(err, 'ConsumerGroupNameAlreadyExists')) throw err;
  }
}
