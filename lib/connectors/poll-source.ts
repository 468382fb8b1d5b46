import type { PolledMessage } from '../protocol/messages/message-batch.js';
import type { Consumer } from '../protocol/primitives/consumer.js';
import type { PollingStrategy } from '../protocol/primitives/polling-strategy.js';

/** One poll's answer: the partition read and its messages (payloads may be views into the answer). */
export interface PolledBatch {
  partitionId: number;
  messages: PolledMessage[];
}

/**
 * What a subscriber needs from its session with Iggy: the embedded broker (a broker client id) or a
 * remote server (a dedicated connection). Group membership belongs to the session, so every
 * subscription has its own. Methods throw the transport's own errors; the subscriber maps them.
 */
export interface PollSource {
  /** Bumped whenever the session was re-established (a reconnect): group membership is gone then. */
  readonly epoch: number;
  /** Polls without committing anything. `partitionId` null: the group's next partition for this member. */
  poll(
    consumer: Consumer,
    partitionId: number | null,
    strategy: PollingStrategy,
    count: number,
  ): Promise<PolledBatch>;
  /** Stores `offset` as the last consumed one of (consumer, partition). */
  storeOffset(consumer: Consumer, partitionId: number, offset: bigint): Promise<void>;
  /** Creates the group when missing (a racing create is success), then joins it. */
  joinGroup(group: string): Promise<void>;
  /** Leaves the group (best effort). */
  leaveGroup(group: string): Promise<void>;
  /** Ends the session. */
  close(): Promise<void>;
  /** A failure worth waiting out and retrying (the connection is being re-established). */
  isTransient(err: unknown): boolean;
  /**
   * In-process sources only (the protocol has no push): calls `listener` after messages were appended to
   * `partitionId` of the topic (null: any of its partitions); returns a function that stops it. A source
   * without it is polled on a timer.
   */
  watchAppends?(partitionId: number | null, listener: () => void): () => void;
}
