import type { Broker } from '../broker/broker.js';
import { IggyErrorCode } from '../protocol/codes/error-codes.js';
import { decodeMessages } from '../protocol/messages/message-decode.js';
import type { Consumer } from '../protocol/primitives/consumer.js';
import type { PollingStrategy } from '../protocol/primitives/polling-strategy.js';
import { createIfMissing } from './create-if-missing.js';
import type { PolledBatch, PollSource } from './poll-source.js';

/**
 * An in-process broker session for one subscription: one broker client id from
 * `Broker.connectInternalClient` (no password check). Polls read the broker's result and decode it in
 * place (payloads are views into the bytes the broker read); nothing crosses a socket. An idle
 * subscriber waits for the broker's append signal (`watchAppends`) rather than a timer. Closing
 * disconnects the client, which leaves its groups.
 */
export class BrokerPollSource implements PollSource {
  readonly epoch = 0;

  private constructor(
    private readonly broker: Broker,
    private readonly clientId: number,
    private readonly stream: string,
    private readonly topic: string,
  ) {}

  /** Opens a session already logged in as `userId`. */
  static open(
    broker: Broker,
    userId: number,
    stream: string,
    topic: string,
    label: string,
  ): BrokerPollSource {
    return new BrokerPollSource(broker, broker.connectInternalClient(userId, label), stream, topic);
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
    const { broker, clientId, stream, topic } = this;
    await createIfMissing(
      () => broker.getConsumerGroup(clientId, stream, topic, group) !== null,
      () => broker.createConsumerGroup(clientId, stream, topic, group),
      IggyErrorCode.ConsumerGroupNameAlreadyExists,
    );
    broker.joinConsumerGroup(clientId, stream, topic, group);
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

  /** The broker's in-process append signal for the topic, filtered to `partitionId` when given. */
  watchAppends(partitionId: number | null, listener: () => void): () => void {
    return this.broker.onAppend(this.stream, this.topic, (appendedTo) => {
      if (partitionId === null || appendedTo === partitionId) listener();
    });
  }
}
