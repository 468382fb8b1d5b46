import { createIggyClient } from '../client/client-factory.js';
import type { IggyClient } from '../client/iggy-client.js';
import { isIggyClientError } from '../client/errors.js';
import type { IggyClientOptions } from '../client/options.js';
import { IggyErrorCode } from '../protocol/codes/error-codes.js';
import type { Consumer } from '../protocol/primitives/consumer.js';
import type { PollingStrategy } from '../protocol/primitives/polling-strategy.js';
import { createIfMissing } from './create-if-missing.js';
import type { PolledBatch, PollSource } from './poll-source.js';

/**
 * A subscription's own connection to a remote server (group membership is per connection, and a slow
 * consumer must never hold up the publisher's connection). The client reconnects by itself; each
 * reconnect bumps `epoch` so the subscriber rejoins its group and resumes from the stored offsets.
 */
export class ClientPollSource implements PollSource {
  private connects = 0;

  private constructor(
    private readonly client: IggyClient,
    private readonly stream: string,
    private readonly topic: string,
  ) {
    client.on('connected', () => {
      this.connects++;
    });
    // Failed reconnect attempts are reported here; the subscriber sees them as transient poll failures.
    client.on('error', () => undefined);
  }

  get epoch(): number {
    return Math.max(0, this.connects - 1);
  }

  /** Opens and logs in a dedicated connection. */
  static async open(options: IggyClientOptions, stream: string, topic: string): Promise<ClientPollSource> {
    const client = createIggyClient({ ...options, detectServerVersion: false }); // the publishing connection knows it
    const source = new ClientPollSource(client, stream, topic);
    try {
      await client.connect();
    } catch (err) {
      await client.close().catch(() => undefined);
      throw err;
    }
    return source;
  }

  async poll(
    consumer: Consumer,
    partitionId: number | null,
    strategy: PollingStrategy,
    count: number,
  ): Promise<PolledBatch> {
    const result = await this.client.pollMessages({
      streamId: this.stream,
      topicId: this.topic,
      consumer,
      partitionId,
      strategy,
      count,
      autoCommit: false,
    });
    return { partitionId: result.partitionId, messages: result.messages };
  }

  storeOffset(consumer: Consumer, partitionId: number, offset: bigint): Promise<void> {
    return this.client.storeOffset({
      streamId: this.stream,
      topicId: this.topic,
      consumer,
      partitionId,
      offset,
    });
  }

  async joinGroup(group: string): Promise<void> {
    const target = { streamId: this.stream, topicId: this.topic, groupId: group };
    await createIfMissing(
      async () => (await this.client.getConsumerGroup(target)) !== null,
      () => this.client.createConsumerGroup({ streamId: this.stream, topicId: this.topic, name: group }),
      IggyErrorCode.ConsumerGroupNameAlreadyExists,
    );
    await this.client.joinConsumerGroup(target);
  }

  async leaveGroup(group: string): Promise<void> {
    if (!this.client.isConnected()) return;
    await this.client.leaveConsumerGroup({ streamId: this.stream, topicId: this.topic, groupId: group });
  }

  close(): Promise<void> {
    return this.client.close();
  }

  /** Lost connections and timeouts, while the client is still reconnecting (not once it gave up). */
  isTransient(err: unknown): boolean {
    if (this.client.state === 'disconnected' || this.client.state === 'closed') return false;
    return isIggyClientError(err, 'Disconnected') || isIggyClientError(err, 'Timeout');
  }
}
