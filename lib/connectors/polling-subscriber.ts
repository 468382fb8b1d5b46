import { WakeableDelay } from '../common/wakeable-delay.js';
import { IggyErrorCode } from '../protocol/codes/error-codes.js';
import type { DecodedPollResult } from '../protocol/iggy-session.js';
import type { PolledMessage } from '../protocol/messages/message-batch.js';
import { ConsumerKind, type Consumer } from '../protocol/primitives/consumer.js';
import { PollingStrategy } from '../protocol/primitives/polling-strategy.js';
import { AssignmentWatch } from './assignment-watch.js';
import { PartitionPositions } from './partition-positions.js';
import { errorCodeOf, toConnectorError } from './connector-error-mapping.js';
import {
  joinGroup,
  leaveGroup,
  type ConnectorSession,
  type JoinedGroup,
  type SubscriptionSession,
} from './connector-session.js';
import type { GroupAssignment, MessageSubscriber, ReceivedMessage } from './message-subscriber.js';

/** Who a subscription polls as. */
export type SubscriptionTarget =
  | { kind: 'partition'; partition: number; consumerName: string; initial: PollingStrategy }
  | { kind: 'group'; group: string; partitionsCount: number; floors: Map<number, bigint> };

export interface SubscriptionSpec {
  stream: string;
  topic: string;
  target: SubscriptionTarget;
  batchSize: number;
  /** Longest wait after an empty poll. */
  pollIntervalMs: number;
  /** First wait after a poll that returned messages, doubling up to `pollIntervalMs` (default 1 ms). */
  minPollIntervalMs?: number;
  /** How often a group member's assignment is read while someone listens (default 5000 ms). */
  assignmentCheckMs?: number;
}

const DEFAULT_MIN_POLL_INTERVAL_MS = 1;

type GroupSubscription = Extract<SubscriptionTarget, { kind: 'group' }>;

/** One poll's partition and messages. */
type PolledBatch = Pick<DecodedPollResult, 'partitionId' | 'messages'>;

/** Codes after which a group member has to join again (its session lost the membership). */
const MEMBERSHIP_LOST: ReadonlySet<number> = new Set([
  IggyErrorCode.ConsumerGroupMemberNotFound,
  IggyErrorCode.StaleClient,
]);

/**
 * A `MessageSubscriber` over its own session, with explicit commits only (the server never commits on
 * poll). A single consumer polls its partition from where the last handed-out message left off. A group
 * member polls `next` without a partition, so the server rotates over the member's partitions and starts
 * each after the group's stored offset; messages already handed out by this member and not yet committed
 * are not handed out again (the member re-polls that partition from where it left off), unless the session
 * was lost: then it rejoins and resumes from the stored offsets (uncommitted messages come again).
 *
 * After an empty round: a session with an append signal (the embedded broker) is polled again as soon as
 * messages arrive, or after `pollIntervalMs` at the latest (so a lost signal costs latency, never
 * messages; an append during the poll itself makes it poll again at once). Any other session is polled on
 * an adaptive timer: `minPollIntervalMs` after a round that returned messages, doubling on every empty
 * round up to `pollIntervalMs`, so a busy stream is followed closely and an idle one costs little.
 */
export class PollingSubscriber implements MessageSubscriber {
  private readonly consumer: Consumer;
  private readonly positions = new PartitionPositions();
  /** Where the next round over a member's partitions starts (after the last one that had news). */
  private rotation = 0;
  private buffer: ReceivedMessage[] = [];
  private at = 0;
  private epoch: number;
  private joined: boolean;
  private closed = false;
  private closing: Promise<void> | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  /** `recv` calls under way. */
  private waiting = 0;
  private readonly delay = new WakeableDelay();
  /**
   * Settles each read under way with `null` at close. (Racing every read against one long-lived "closed"
   * promise instead would leave a reaction on it per read, each holding that read's messages until close.)
   */
  private readonly pendingReads = new Set<(closed: null) => void>();
  /** Stops the session's append signal; undefined when it has none (timer polling). */
  private readonly unwatch: (() => void) | undefined;
  /** Messages were appended since the current poll started. */
  private appended = false;
  private readonly minWaitMs: number;
  /** The wait after the next empty round (timer polling). */
  private idleWaitMs: number;
  /** A group member's assigned partitions, read while someone listens. */
  private readonly assignment: AssignmentWatch | undefined;

  constructor(
    private readonly session: SubscriptionSession,
    private readonly spec: SubscriptionSpec,
    options: { joined?: JoinedGroup; onClose?: () => void } = {},
  ) {
    const target = spec.target;
    this.consumer =
      target.kind === 'group'
        ? { kind: ConsumerKind.ConsumerGroup, id: target.group }
        : { kind: ConsumerKind.Consumer, id: target.consumerName };
    this.epoch = session.epoch ?? 0;
    this.joined = options.joined !== undefined;
    if (target.kind === 'group') {
      const group = { streamId: spec.stream, topicId: spec.topic, groupId: target.group };
      this.assignment = new AssignmentWatch(session, group, spec.assignmentCheckMs);
      if (options.joined) this.assignment.joined(options.joined);
    }
    this.onClose = options.onClose;
    this.minWaitMs = Math.min(spec.minPollIntervalMs ?? DEFAULT_MIN_POLL_INTERVAL_MS, spec.pollIntervalMs);
    this.idleWaitMs = spec.pollIntervalMs;
    this.unwatch = this.watch();
  }

  private readonly onClose: (() => void) | undefined;

  get isClosed(): boolean {
    return this.closed;
  }

  /** True for a live member of `group` on the topic. */
  isGroupOn(stream: string, topic: string, group: string): boolean {
    const target = this.spec.target;
    return (
      !this.closed &&
      target.kind === 'group' &&
      target.group === group &&
      this.spec.stream === stream &&
      this.spec.topic === topic
    );
  }

  /** Stores an offset through this subscription's session (a member of its group); raw errors. */
  async storeOffsetAt(partition: number, offset: bigint): Promise<void> {
    const { stream, topic } = this.spec;
    await this.session.storeOffset({
      streamId: stream,
      topicId: topic,
      consumer: this.consumer,
      partitionId: partition,
      offset,
    });
    this.positions.storedAt(partition, offset);
  }

  recv(): Promise<ReceivedMessage | null> {
    if (this.closed) return Promise.resolve(null);
    // Fast path: a buffered message and nobody else waiting.
    if (this.waiting === 0 && this.at < this.buffer.length && this.sessionEpoch() === this.epoch) {
      return Promise.resolve(this.take());
    }
    return this.queue(() => this.next());
  }

  recvBatch(): Promise<ReceivedMessage[] | null> {
    if (this.closed) return Promise.resolve(null);
    return this.queue(() => this.nextBatch());
  }

  async commit(message: ReceivedMessage): Promise<void> {
    const what = `commit offset ${message.offset} of partition ${message.partition} (${this.describe()})`;
    try {
      await this.storeOffsetAt(message.partition, message.offset);
    } catch (err) {
      const target = this.spec.target;
      if (target.kind !== 'group' || !MEMBERSHIP_LOST.has(errorCodeOf(err) ?? -1) || this.closed) {
        throw toConnectorError(err, 'Receive', what);
      }
      try {
        await this.join(target.group);
        await this.storeOffsetAt(message.partition, message.offset);
      } catch (retryErr) {
        throw toConnectorError(retryErr, 'Receive', what);
      }
    }
  }

  onAssignment(listener: (assignment: GroupAssignment) => void): () => void {
    return this.assignment?.listen(listener) ?? (() => undefined);
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<ReceivedMessage, void, undefined> {
    for (;;) {
      const message = await this.recv();
      if (message === null) return;
      yield message;
    }
  }

  private async shutdown(): Promise<void> {
    this.closed = true;
    for (const settle of this.pendingReads) settle(null);
    this.pendingReads.clear();
    this.unwatch?.();
    this.assignment?.close();
    this.delay.wake();
    this.onClose?.();
    const target = this.spec.target;
    if (target.kind === 'group' && this.joined) {
      const group = { streamId: this.spec.stream, topicId: this.spec.topic, groupId: target.group };
      await leaveGroup(this.session, group).catch(() => undefined);
    }
    await this.session.close().catch(() => undefined);
  }

  /** Runs `read` after the reads already waiting (one at a time); `null` as soon as the subscriber closes. */
  private queue<T>(read: () => Promise<T | null>): Promise<T | null> {
    this.waiting++;
    const next = this.chain.then(read).finally(() => this.waiting--);
    this.chain = next.catch(() => undefined);
    return new Promise<T | null>((resolve, reject) => {
      this.pendingReads.add(resolve);
      next.then(
        (value) => {
          this.pendingReads.delete(resolve);
          resolve(value);
        },
        (err: unknown) => {
          this.pendingReads.delete(resolve);
          reject(err);
        },
      );
    });
  }

  private async next(): Promise<ReceivedMessage | null> {
    return (await this.buffered()) ? this.take() : null;
  }

  private async nextBatch(): Promise<ReceivedMessage[] | null> {
    if (!(await this.buffered())) return null;
    const batch = this.at === 0 ? this.buffer : this.buffer.slice(this.at);
    this.at = this.buffer.length;
    const last = batch[batch.length - 1]!;
    this.positions.handedOut(last.partition, last.offset);
    return batch;
  }

  /** Polls until something is buffered (true), or the subscriber closes (false). */
  private async buffered(): Promise<boolean> {
    while (!this.closed) {
      if (this.sessionEpoch() !== this.epoch) this.sessionLost();
      if (this.at < this.buffer.length) return true;
      await this.fill();
    }
    return false;
  }

  /** Hands out the next buffered message. */
  private take(): ReceivedMessage {
    const message = this.buffer[this.at++]!;
    this.positions.handedOut(message.partition, message.offset);
    return message;
  }

  /** The session was re-established: drop what is buffered; a group rejoins and resumes from its offsets. */
  private sessionLost(): void {
    this.epoch = this.sessionEpoch();
    this.buffer = [];
    this.at = 0;
    if (this.spec.target.kind === 'group') {
      this.joined = false;
      this.positions.forget();
    }
  }

  private async fill(): Promise<void> {
    let batch: PolledBatch | null;
    this.appended = false;
    try {
      batch = this.spec.target.kind === 'group' ? await this.pollGroup() : await this.pollSingle();
    } catch (err) {
      if (this.closed) return;
      if (this.session.isTransient?.(err))
        return this.sleep(Math.min(1000, Math.max(100, this.spec.pollIntervalMs)));
      if (this.spec.target.kind === 'group' && MEMBERSHIP_LOST.has(errorCodeOf(err) ?? -1)) {
        this.joined = false;
        this.positions.forget();
        return this.sleep(this.spec.pollIntervalMs);
      }
      throw toConnectorError(err, 'Receive', `poll ${this.describe()}`);
    }
    if (this.closed) return;
    if (batch === null) return this.idle();
    this.assignment?.polled(batch.partitionId);
    this.buffer = this.toReceived(batch);
    this.at = 0;
    this.idleWaitMs = this.minWaitMs;
  }

  /** Waits after an empty round: for the append signal (bounded by `pollIntervalMs`), else adaptively. */
  private idle(): Promise<void> {
    if (this.unwatch) return this.appended ? Promise.resolve() : this.sleep(this.spec.pollIntervalMs);
    const ms = this.idleWaitMs;
    this.idleWaitMs = Math.min(this.spec.pollIntervalMs, Math.max(1, ms * 2));
    return this.sleep(ms);
  }

  /** Subscribes to the session's append signal, when it has one (any of a group's partitions). */
  private watch(): (() => void) | undefined {
    if (!this.session.onAppend) return undefined;
    const target = this.spec.target;
    const partition = target.kind === 'partition' ? target.partition : null;
    try {
      return this.session.onAppend({ streamId: this.spec.stream, topicId: this.spec.topic }, (appendedTo) => {
        if (partition !== null && appendedTo !== partition) return;
        this.appended = true;
        this.positions.appended(appendedTo);
        this.delay.wake();
      });
    } catch {
      return undefined; // no signal (e.g. the topic is gone): the timer alone, polls report the problem
    }
  }

  private async pollSingle(): Promise<PolledBatch | null> {
    const target = this.spec.target;
    if (target.kind !== 'partition') return null;
    const from = this.positions.next(target.partition);
    const strategy = from === undefined ? target.initial : PollingStrategy.offset(from);
    const batch = await this.poll(target.partition, strategy, this.spec.batchSize);
    return this.fresh(batch, from);
  }

  /** Up to one round over the member's partitions until one has something new. */
  private async pollGroup(): Promise<PolledBatch | null> {
    const target = this.spec.target;
    if (target.kind !== 'group') return null;
    if (!this.joined) await this.join(target.group);
    return this.unwatch && this.session.pollablePartitions
      ? this.pollPartitions(target, this.session.pollablePartitions.bind(this.session))
      : this.pollNext(target);
  }

  /**
   * In process: the member's partitions by id, each from its cursor, skipping those read to their end
   * with nothing appended since. (The server's `next` answers from the group's stored offset, which
   * trails the cursor until commits catch up, and rotates over the partitions one poll at a time: a
   * member woken by an append would poll every partition in turn to find it.)
   */
  private async pollPartitions(
    target: GroupSubscription,
    pollable: NonNullable<ConnectorSession['pollablePartitions']>,
  ): Promise<PolledBatch | null> {
    const { stream, topic } = this.spec;
    const partitions = pollable({ streamId: stream, topicId: topic, groupId: target.group });
    if (partitions === undefined) {
      // No longer a member (the broker dropped the session's membership): join again on the next round.
      this.joined = false;
      this.positions.forget();
      return null;
    }
    for (let i = 0; i < partitions.length && !this.closed; i++) {
      const partition = partitions[(this.rotation + i) % partitions.length]!;
      if (this.positions.isDrained(partition)) continue;
      const fresh = await this.readPartition(partition, target);
      if (fresh) {
        this.rotation = (this.rotation + i + 1) % partitions.length;
        return fresh;
      }
    }
    return null;
  }

  /** One of the member's partitions from its cursor; the first time, from the group's offset (or the floor above it). */
  private async readPartition(partition: number, target: GroupSubscription): Promise<PolledBatch | null> {
    const cursor = this.positions.next(partition);
    if (cursor !== undefined) return this.fresh(await this.pollFrom(partition, cursor), cursor);
    const count = this.spec.batchSize;
    let batch = await this.positions.readToEnd(partition, count, () =>
      this.poll(partition, PollingStrategy.next(), count),
    );
    const floor = target.floors.get(partition);
    const first = batch.messages[0]?.offset;
    if (floor !== undefined && first !== undefined && first < floor)
      batch = await this.pollFrom(partition, floor);
    return this.fresh(batch, floor);
  }

  /**
   * Over the network: the member's next partition. The server answers `next` from the group's stored
   * offset, which trails the cursor until the commits catch up: while it does, one message tells the
   * partition and the batch is read from the cursor (a whole batch from the stored offset would be
   * mostly messages handed out already).
   */
  private async pollNext(target: GroupSubscription): Promise<PolledBatch | null> {
    const rounds = Math.max(1, target.partitionsCount);
    for (let i = 0; i < rounds && !this.closed; i++) {
      const probing = this.positions.handedOutUncommitted();
      let batch = await this.poll(null, PollingStrategy.next(), probing ? 1 : this.spec.batchSize);
      if (batch.messages.length === 0) continue;
      const partition = batch.partitionId;
      const from = this.positions.next(partition) ?? target.floors.get(partition);
      const first = batch.messages[0]!.offset;
      if (from !== undefined && first < from) batch = await this.pollFrom(partition, from);
      else if (probing) batch = await this.pollFrom(partition, first);
      const fresh = this.fresh(batch, from);
      if (fresh) return fresh;
    }
    return null;
  }

  /** A batch of `partition` from `from`; with an append signal, notes when it reached the partition's end. */
  private pollFrom(partition: number, from: bigint): Promise<PolledBatch> {
    const count = this.spec.batchSize;
    const read = () => this.poll(partition, PollingStrategy.offset(from), count);
    return this.unwatch ? this.positions.readToEnd(partition, count, read) : read();
  }

  /** Polls without committing anything. `partitionId` null: the group's next partition for this member. */
  private poll(partitionId: number | null, strategy: PollingStrategy, count: number): Promise<PolledBatch> {
    return this.session.pollMessages({
      streamId: this.spec.stream,
      topicId: this.spec.topic,
      consumer: this.consumer,
      partitionId,
      strategy,
      count,
    });
  }

  private async join(group: string): Promise<void> {
    const joined = await joinGroup(this.session, {
      streamId: this.spec.stream,
      topicId: this.spec.topic,
      groupId: group,
    });
    this.joined = true;
    this.assignment?.joined(joined);
  }

  /** Bumped whenever the session was re-established (always 0 for one that never is). */
  private sessionEpoch(): number {
    return this.session.epoch ?? 0;
  }

  /** The batch without messages below `from`; null when nothing is left. */
  private fresh(batch: PolledBatch, from: bigint | undefined): PolledBatch | null {
    const messages = from === undefined ? batch.messages : batch.messages.filter((m) => m.offset >= from);
    return messages.length === 0 ? null : { partitionId: batch.partitionId, messages };
  }

  private toReceived(batch: PolledBatch): ReceivedMessage[] {
    const { stream, topic } = this.spec;
    return batch.messages.map((m: PolledMessage) => ({
      stream,
      topic,
      partition: batch.partitionId,
      offset: m.offset,
      timestamp: m.timestamp,
      id: m.id,
      payload: m.payload,
      headers: m.headers,
    }));
  }

  private describe(): string {
    const target = this.spec.target;
    const where = `stream '${this.spec.stream}', topic '${this.spec.topic}'`;
    return target.kind === 'group'
      ? `group '${target.group}' on ${where}`
      : `consumer '${target.consumerName}' on ${where}, partition ${target.partition}`;
  }

  private sleep(ms: number): Promise<void> {
    return this.closed ? Promise.resolve() : this.delay.sleep(ms);
  }
}
