import type { UserHeaders } from '../protocol/primitives/user-headers.js';

/** A message as a subscriber hands it over. */
export interface ReceivedMessage {
  stream: string;
  topic: string;
  /** 0-based partition. */
  partition: number;
  offset: bigint;
  /** Server append time, µs since the epoch. */
  timestamp: bigint;
  /** The Iggy message id (u128); `messageIdToUuid` turns it back into the event id. */
  id: bigint;
  payload: Buffer;
  headers: UserHeaders;
}

/** Where a subscription starts when nothing else decides. */
export type StartFrom = 'beginning' | 'end' | 'committed' | { offset: bigint } | { timestamp: bigint };

export interface SubscribeOptions {
  /**
   * `committed` (default): after the stored offset of this consumer / group (or the beginning when none);
   * `beginning`, `end`, an offset or a timestamp (µs) otherwise.
   */
  startFrom?: StartFrom;
  /** For `subscribe`: the consumer's name (its offsets are its own). Default `nestjs-iggy`. */
  consumerName?: string;
  /** Messages fetched per poll (default 1000). */
  batchSize?: number;
  /**
   * Longest wait after an empty poll (default 50 ms). An embedded subscriber is woken by the broker as
   * soon as messages arrive (this only bounds a lost wake-up); a remote one (Iggy has no long poll)
   * waits `minPollIntervalMs` after a poll that returned messages, doubling on each empty poll up to this.
   */
  pollIntervalMs?: number;
  /** First wait after a poll that returned messages, for a remote subscriber (default 1 ms; ≤ `pollIntervalMs`). */
  minPollIntervalMs?: number;
  /**
   * For `subscribeGroup`, while an `onAssignment` listener is registered: how often the member's assigned
   * partitions are read from the group (default 5000 ms).
   */
  assignmentCheckMs?: number;
}

/**
 * The partitions of the topic a consumer group assigns to this member (0-based, ascending), as the
 * server lists the group's members; a partition the member is handing over to another stays its own
 * until the hand-over completes. `previous` is the set it replaced, `null` for the first one seen.
 * A change of the set (`previous` not null) is a rebalance.
 */
export interface GroupAssignment {
  partitions: readonly number[];
  previous: readonly number[] | null;
}

/**
 * A stream of messages from one partition (`subscribe`) or from the partitions a consumer group assigns
 * to this member (`subscribeGroup`). Nothing is committed until `commit(message)`: at-least-once.
 */
export interface MessageSubscriber extends AsyncIterable<ReceivedMessage> {
  /** The next message, or `null` once closed. */
  recv(): Promise<ReceivedMessage | null>;
  /**
   * The next messages: what one poll returned and `recv` has not handed out (one partition, in offset
   * order, never empty), or `null` once closed. The consumer runtime reads a subscription this way.
   */
  recvBatch(): Promise<ReceivedMessage[] | null>;
  /** Stores `message.offset` as consumed (for its partition). */
  commit(message: ReceivedMessage): Promise<void>;
  /**
   * A group subscription calls `listener` with the first assignment it sees and whenever it changes. It
   * reads the group after each join (a re-join after a reconnect included), every `assignmentCheckMs`,
   * and at once when a poll returns a partition outside the known set; while no listener is registered
   * nothing is read. Returns the function that removes `listener`. A single-partition subscription never
   * calls it.
   */
  onAssignment?(listener: (assignment: GroupAssignment) => void): () => void;
  /** Stops; a pending `recv()` resolves `null`; a group subscription leaves the group. */
  close(): Promise<void>;
}
