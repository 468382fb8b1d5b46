import { WakeableDelay } from '../common/wakeable-delay.js';
import { IggyErrorCode } from '../protocol/codes/error-codes.js';
import type { PolledMessage } from '../protocol/messages/message-batch.js';
import { ConsumerKind, type Consumer } from '../protocol/primitives/consumer.js';
import type { Identifier } from '../protocol/primitives/identifier.js';
import { PollingStrategy } from '../protocol/primitives/polling-strategy.js';
import { IggyError } from '../protocol/iggy-error.js';
import { IggyClientError } from './errors.js';
import type { DecodedPollResult } from '../protocol/iggy-session.js';
import type { IggyClient } from './iggy-client.js';

/** A polled message with the partition it came from. */
export interface ConsumedMessage extends PolledMessage {
  partitionId: number;
}

/**
 * Who polls:
 * - `{ consumerId }`: a single consumer with its own stored offsets (use a unique id per application;
 *   id 0 is what other SDKs share by default);
 * - `{ groupId }`: a member of a consumer group (id or name). The poller joins the group on the client's
 *   connection before its first poll and again after every reconnect (membership is per connection).
 *   `createGroup` creates a missing group, named by `groupId` when it is a string.
 */
export type PollerConsumer = { consumerId: Identifier } | { groupId: Identifier; createGroup?: boolean };

/**
 * `auto`: the server stores the offset of the last returned message before answering (at-most-once).
 * `manual`: nothing is stored until `commit(message)` (at-least-once: commit after processing).
 */
export type CommitMode = 'auto' | 'manual';

export interface PollerOptions {
  streamId: Identifier;
  topicId: Identifier;
  consumer: PollerConsumer;
  /**
   * 0-based partition. Default: 0 for a single consumer; for a group, none (the server rotates over the
   * member's assigned partitions, one per poll).
   */
  partitionId?: number | null;
  /**
   * Where to start (default `next`: after the stored offset). After its first non-empty poll a single
   * consumer continues from the last message it saw (committed or not); a group always polls `next`, so
   * its stored offsets drive it and uncommitted messages come again (at-least-once).
   */
  strategy?: PollingStrategy;
  /** Messages per poll (default 100). */
  count?: number;
  /** Wait after an empty poll (default 100 ms) or a connection failure (default 10 × that). */
  intervalMs?: number;
  /** Default `manual`. */
  commit?: CommitMode;
}

/**
 * Polls one topic in a loop. Use it as an async iterable, committing after processing:
 *
 * ```ts
 * const poller = new Poller(client, { streamId: 'orders', topicId: 'events', consumer: { groupId: 'billing' } });
 * for await (const message of poller) {
 *   await handle(message);
 *   await poller.commit(message);
 * }
 * ```
 * Connection failures ('Disconnected', 'Timeout') make it wait and retry; a server error (`IggyError`)
 * ends the iteration by throwing. `stop()` ends it cleanly.
 */
export class Poller implements AsyncIterable<ConsumedMessage> {
  private readonly consumer: Consumer;
  private readonly isGroup: boolean;
  private readonly partitionId: number | null;
  private readonly count: number;
  private readonly intervalMs: number;
  private readonly commitMode: CommitMode;
  private strategy: PollingStrategy;
  private joined = false;
  private stopped = false;
  private readonly delay = new WakeableDelay();
  private readonly onConnected = () => {
    this.joined = false;
  };

  constructor(
    private readonly client: IggyClient,
    private readonly options: PollerOptions,
  ) {
    this.isGroup = 'groupId' in options.consumer;
    this.consumer =
      'groupId' in options.consumer
        ? { kind: ConsumerKind.ConsumerGroup, id: options.consumer.groupId }
        : { kind: ConsumerKind.Consumer, id: options.consumer.consumerId };
    this.partitionId = options.partitionId !== undefined ? options.partitionId : this.isGroup ? null : 0;
    this.count = options.count ?? 100;
    if (!Number.isInteger(this.count) || this.count < 1) {
      throw new IggyClientError('Config', `count must be a positive integer, got ${this.count}`);
    }
    this.intervalMs = options.intervalMs ?? 100;
    this.commitMode = options.commit ?? 'manual';
    this.strategy = this.isGroup ? PollingStrategy.next() : (options.strategy ?? PollingStrategy.next());
    client.on('connected', this.onConnected);
  }

  /** True after `stop()`. */
  get isStopped(): boolean {
    return this.stopped;
  }

  /**
   * One poll (joining the group first when needed). Advances the poller's position: a single consumer's
   * next poll starts after the last message returned here.
   */
  async poll(): Promise<DecodedPollResult> {
    if (this.isGroup && !this.joined) await this.join();
    const result = await this.client.pollMessages({
      consumer: this.consumer,
      streamId: this.options.streamId,
      topicId: this.options.topicId,
      partitionId: this.partitionId,
      strategy: this.strategy,
      count: this.count,
      autoCommit: this.commitMode === 'auto',
    });
    const last = result.messages.at(-1);
    if (last && !this.isGroup) {
      this.strategy = PollingStrategy.offset(last.offset + 1n);
    }
    return result;
  }

  /**
   * Stores `message.offset` as this consumer's (or group's) offset for its partition: everything up to
   * and including it counts as consumed.
   */
  commit(message: Pick<ConsumedMessage, 'partitionId' | 'offset'>): Promise<void> {
    return this.client.storeOffset({
      consumer: this.consumer,
      streamId: this.options.streamId,
      topicId: this.options.topicId,
      partitionId: message.partitionId,
      offset: message.offset,
    });
  }

  /** Ends the iteration (after the message being handled) and leaves the group if joined. Idempotent. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.client.off('connected', this.onConnected);
    this.delay.wake();
    if (this.joined && this.client.isConnected()) {
      this.joined = false;
      await this.client.leaveConsumerGroup(this.groupTarget()).catch(() => undefined);
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<ConsumedMessage, void, undefined> {
    while (!this.stopped) {
      let result: DecodedPollResult;
      try {
        result = await this.poll();
      } catch (err) {
        if (this.stopped) return;
        if (isTransient(err)) {
          await this.sleep(this.intervalMs * 10);
          continue;
        }
        throw err;
      }
      if (result.messages.length === 0) {
        await this.sleep(this.intervalMs);
        continue;
      }
      for (const message of result.messages) {
        if (this.stopped) return;
        yield Object.assign(message, { partitionId: result.partitionId });
      }
    }
  }

  private groupTarget(): { streamId: Identifier; topicId: Identifier; groupId: Identifier } {
    return { streamId: this.options.streamId, topicId: this.options.topicId, groupId: this.consumer.id };
  }

  private async join(): Promise<void> {
    const target = this.groupTarget();
    try {
      await this.client.joinConsumerGroup(target);
    } catch (err) {
      const consumer = this.options.consumer;
      const missing =
        err instanceof IggyError &&
        (err.code === IggyErrorCode.ConsumerGroupIdNotFound ||
          err.code === IggyErrorCode.ConsumerGroupNameNotFound);
      if (
        !missing ||
        !('groupId' in consumer) ||
        !consumer.createGroup ||
        typeof consumer.groupId !== 'string'
      )
        throw err;
      await this.client.createConsumerGroup({
        streamId: target.streamId,
        topicId: target.topicId,
        name: consumer.groupId,
      });
      await this.client.joinConsumerGroup(target);
    }
    this.joined = true;
  }

  private sleep(ms: number): Promise<void> {
    return this.stopped ? Promise.resolve() : this.delay.sleep(ms);
  }
}

function isTransient(err: unknown): boolean {
  return err instanceof IggyClientError && (err.kind === 'Disconnected' || err.kind === 'Timeout');
}
