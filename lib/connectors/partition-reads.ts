import type { Consumer } from '../protocol/primitives/consumer.js';
import { PollingStrategy } from '../protocol/primitives/polling-strategy.js';
import type { ConnectorSession } from './connector-session.js';
import type { ReceivedMessage } from './message-subscriber.js';
import { PartitionPositions } from './partition-positions.js';
import { subscribedMessages } from './subscribed-message.js';

/** Who a subscription polls as. */
export type SubscriptionTarget =
  | { kind: 'partition'; partition: number; consumerName: string; initial: PollingStrategy }
  | { kind: 'group'; group: string; partitionsCount: number; floors: Map<number, bigint> };

type PartitionSubscription = Extract<SubscriptionTarget, { kind: 'partition' }>;
type GroupSubscription = Extract<SubscriptionTarget, { kind: 'group' }>;

/** One poll's partition and messages (their headers decoded when read: `SubscribedMessage`). */
export interface PolledBatch {
  partitionId: number;
  currentOffset: bigint;
  messages: ReceivedMessage[];
}

/** What a subscription reads with: its session, where, as whom, how much at a time. */
export interface ReadScope {
  session: Pick<ConnectorSession, 'pollMessagesRun' | 'epoch'>;
  stream: string;
  topic: string;
  consumer: Consumer;
  batchSize: number;
  /** The session signals appends: a partition read to its end is skipped until something is appended. */
  watched: boolean;
  closed(): boolean;
}

/**
 * How a subscription picks what it polls next, and where from: its partition from the cursor; a group
 * member's own partitions by id (in process) or the group's next partition (over the network). Every
 * batch comes without the messages handed out already.
 */
export class PartitionReads {
  readonly positions = new PartitionPositions();
  /** Where the next round over a member's partitions starts (after the last one that had news). */
  private rotation = 0;
  /**
   * Over the network: how many partitions the member owns, as the last round's replies told (each names
   * the partition the server rotated to); undefined until a round shows it, or after one shows it grew.
   */
  private owned: number | undefined;
  /** Per partition, how many times it was found cut (`cut`); its messages carry it. */
  private readonly cuts = new Map<number, number>();

  constructor(private readonly scope: ReadScope) {}

  /** The subscription's one partition, from the cursor (the first time, from its start strategy). */
  async single(target: PartitionSubscription): Promise<PolledBatch | null> {
    if (
      this.positions.isUnchecked(target.partition) &&
      !(await this.holdsWhatWasHandedOut(target.partition))
    ) {
      return this.cut(target.partition, undefined);
    }
    const from = this.positions.next(target.partition);
    const strategy = from === undefined ? target.initial : PollingStrategy.offset(from);
    const batch = await this.poll(target.partition, strategy, this.scope.batchSize);
    if (from !== undefined && batch.messages.length === 0 && batch.currentOffset < from - 1n) {
      return this.cut(target.partition, undefined);
    }
    return fresh(batch, from);
  }

  /**
   * In process: the member's `partitions` by id, each from its cursor, skipping those read to their end
   * with nothing appended since. (The server's `next` answers from the group's stored offset, which
   * trails the cursor until commits catch up, and rotates over the partitions one poll at a time: a
   * member woken by an append would poll every partition in turn to find it.)
   */
  async own(target: GroupSubscription, partitions: readonly number[]): Promise<PolledBatch | null> {
    for (let i = 0; i < partitions.length && !this.scope.closed(); i++) {
      const partition = partitions[(this.rotation + i) % partitions.length]!;
      if (this.positions.isDrained(partition)) continue;
      const batch = await this.ownPartition(partition, target);
      if (batch) {
        this.rotation = (this.rotation + i + 1) % partitions.length;
        return batch;
      }
    }
    return null;
  }

  /**
   * Over the network: what the member's partitions hold past their cursors, in two round trips. First
   * one `next` poll per partition of the topic, sent together: the server rotates a member's `next` over
   * its partitions one poll at a time (skipping those it is handing over), so they visit each of them.
   * The server answers `next` from the group's stored offset, which trails the cursor until the commits
   * catch up: while it does, the polls ask for one message each, which tells the partition, and the
   * batches are then read from the cursors, together too (a whole batch from the stored offset would be
   * mostly messages handed out already). A partition's first reply is its batch; later ones repeat it.
   * Once a round shows how many partitions the member owns (a reply repeated a partition), the next
   * rounds send one poll more than that (a member of several polls its share, not the whole topic);
   * when that extra poll names a new partition too, the member gained some: the next round polls them all.
   */
  async next(target: GroupSubscription): Promise<PolledBatch[]> {
    const probing = this.positions.handedOutUncommitted();
    const count = probing ? 1 : this.scope.batchSize;
    const partitions = Math.max(1, target.partitionsCount);
    const polls = Math.min(partitions, this.owned === undefined ? partitions : this.owned + 1);
    const replies = await Promise.all(
      Array.from({ length: polls }, () => this.poll(null, PollingStrategy.next(), count)),
    );
    const named = new Set(replies.map((reply) => reply.partitionId)).size;
    this.owned = named < polls || polls === partitions ? named : undefined;
    const seen = new Set<number>();
    const batches: (PolledBatch | null | Promise<PolledBatch | null>)[] = [];
    for (const reply of replies) {
      if (reply.messages.length === 0 || seen.has(reply.partitionId) || this.scope.closed()) continue;
      seen.add(reply.partitionId);
      batches.push(this.pastCursor(reply, target, probing));
    }
    const found = await Promise.all(batches);
    return found.filter((batch): batch is PolledBatch => batch !== null);
  }

  /** `reply`'s partition past the cursor (or the floor): the reply itself when it starts there, else a read. */
  private pastCursor(
    reply: PolledBatch,
    target: GroupSubscription,
    probing: boolean,
  ): PolledBatch | null | Promise<PolledBatch | null> {
    const partition = reply.partitionId;
    const handedOutTo = this.positions.handedOutTo(partition);
    if (handedOutTo !== undefined && reply.currentOffset < handedOutTo - 1n)
      return this.cut(partition, target);
    if (this.positions.isUnchecked(partition)) {
      return this.holdsWhatWasHandedOut(partition).then((holds) =>
        holds ? this.pastCursor(reply, target, probing) : this.cut(partition, target),
      );
    }
    const from = this.positions.next(partition) ?? target.floors.get(partition);
    const first = reply.messages[0]!.offset;
    if (from !== undefined && first < from) {
      if (reply.currentOffset < from) return null; // nothing was appended past the cursor: no read
      return this.from(partition, from).then((batch) => fresh(batch, from));
    }
    if (probing) return this.from(partition, first).then((batch) => fresh(batch, from));
    return fresh(reply, from);
  }

  /**
   * After a lost session: whether `partition` still holds, at the offset last handed out of it, the
   * message handed out there (then it is `checked`). A server that crashed before its fsync starts the
   * partition again below that offset, and may have grown it past the offset again by now.
   */
  private async holdsWhatWasHandedOut(partition: number): Promise<boolean> {
    const last = this.positions.lastHandedOut(partition);
    if (last === undefined) return true;
    const at = await this.poll(partition, PollingStrategy.offset(last.offset), 1);
    const message = at.messages[0];
    const holds = message !== undefined && message.offset === last.offset && message.id === last.id;
    if (holds) this.positions.checked(partition);
    return holds;
  }

  /**
   * `partition` now ends before what was handed out of it (before a lost session too): the server lost
   * its tail (a crash before its fsync) or it was purged, and what it holds came after. Read again from its
   * first message (not from the group's offset, which the server clamped to the cut and would skip the
   * first new one): none is skipped, some may come twice (at-least-once). While it holds nothing, it stays
   * cut (read from its first message again next time).
   */
  private async cut(partition: number, target: GroupSubscription | undefined): Promise<PolledBatch | null> {
    this.cuts.set(partition, (this.cuts.get(partition) ?? 0) + 1);
    const batch = await this.poll(partition, PollingStrategy.first(), this.scope.batchSize);
    if (batch.messages.length === 0) return null;
    this.positions.restart(partition);
    target?.floors.delete(partition);
    return batch;
  }

  /** One of the member's partitions from its cursor; the first time, from the group's offset (or the floor above it). */
  private async ownPartition(partition: number, target: GroupSubscription): Promise<PolledBatch | null> {
    const cursor = this.positions.next(partition);
    if (cursor !== undefined) return fresh(await this.from(partition, cursor), cursor);
    const count = this.scope.batchSize;
    let batch = await this.positions.readToEnd(partition, count, () =>
      this.poll(partition, PollingStrategy.next(), count),
    );
    const floor = target.floors.get(partition);
    const first = batch.messages[0]?.offset;
    if (floor !== undefined && first !== undefined && first < floor)
      batch = await this.from(partition, floor);
    return fresh(batch, floor);
  }

  /** A batch of `partition` from `offset`; with an append signal, notes when it reached the partition's end. */
  private from(partition: number, offset: bigint): Promise<PolledBatch> {
    const count = this.scope.batchSize;
    const read = () => this.poll(partition, PollingStrategy.offset(offset), count);
    return this.scope.watched ? this.positions.readToEnd(partition, count, read) : read();
  }

  /** Polls without committing anything. `partitionId` null: the group's next partition for this member. */
  private async poll(
    partitionId: number | null,
    strategy: PollingStrategy,
    count: number,
  ): Promise<PolledBatch> {
    const { session, stream, topic, consumer } = this.scope;
    const epoch = session.epoch ?? 0;
    const polled = await session.pollMessagesRun({
      streamId: stream,
      topicId: topic,
      consumer,
      partitionId,
      strategy,
      count,
    });
    return {
      partitionId: polled.partitionId,
      currentOffset: polled.currentOffset,
      messages: subscribedMessages(
        stream,
        topic,
        polled.partitionId,
        polled.messages,
        epoch,
        this.cuts.get(polled.partitionId) ?? 0,
      ),
    };
  }
}

/** The batch without messages below `from`; null when nothing is left. */
function fresh(batch: PolledBatch, from: bigint | undefined): PolledBatch | null {
  const messages = from === undefined ? batch.messages : batch.messages.filter((m) => m.offset >= from);
  return messages.length === 0
    ? null
    : { partitionId: batch.partitionId, currentOffset: batch.currentOffset, messages };
}
