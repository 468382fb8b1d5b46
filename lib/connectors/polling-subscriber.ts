import { WakeableDelay } from '../common/wakeable-delay.js';
import { IggyErrorCode } from '../protocol/codes/error-codes.js';
import { ConsumerKind, type Consumer } from '../protocol/primitives/consumer.js';
import { AssignmentWatch } from './assignment-watch.js';
import type { PartitionPositions } from './partition-positions.js';
import { PartitionReads, type PolledBatch, type SubscriptionTarget } from './partition-reads.js';
import { errorCodeOf, toConnectorError } from './connector-error-mapping.js';
import { leaveGroup, type JoinedGroup, type SubscriptionSession } from './connector-session.js';
import { GroupJoins } from './group-joins.js';
import type { GroupAssignment, MessageSubscriber, ReceivedMessage } from './message-subscriber.js';
import { SubscribedMessage } from './subscribed-message.js';

export type { SubscriptionTarget } from './partition-reads.js';

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

/** Codes after which a group member has to join again (its session lost the membership). */
const MEMBERSHIP_LOST: ReadonlySet<number> = new Set([
  IggyErrorCode.ConsumerGroupMemberNotFound,
  IggyErrorCode.StaleClient,
]);

/**
 * A `MessageSubscriber` over its own session, with explicit commits only (the server never commits on
 * poll). What it polls is `PartitionReads`': a single consumer its partition from where the last handed-out
 * message left off; a group member its own partitions by id in process, the group's `next` partition over
 * the network, never handing out again what it handed out and has not committed, unless the session was
 * lost: then it rejoins and resumes from the stored offsets (uncommitted messages come again).
 *
 * After an empty round: a session with an append signal (the embedded broker) is polled again as soon as
 * messages arrive, or after `pollIntervalMs` at the latest (so a lost signal costs latency, never
 * messages; an append during the poll itself makes it poll again at once). Any other session is polled on
 * an adaptive timer: `minPollIntervalMs` after a round that returned messages, doubling on every empty
 * round up to `pollIntervalMs`, so a busy stream is followed closely and an idle one costs little.
 */
export class PollingSubscriber implements MessageSubscriber {
  private readonly consumer: Consumer;
  private readonly reads: PartitionReads;
  private buffer: ReceivedMessage[] = [];
  private at = 0;
  private epoch: number;
  private joined: boolean;
  private closed = false;
  private closing: Promise<void> | undefined;
  /** Reads waiting for the one under way to finish, in call order. */
  private readonly queuedReads: (() => void)[] = [];
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
    options: { joined?: JoinedGroup; onClose?: () => void; joins?: GroupJoins } = {},
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
    this.joins = options.joins ?? new GroupJoins();
    this.minWaitMs = Math.min(spec.minPollIntervalMs ?? DEFAULT_MIN_POLL_INTERVAL_MS, spec.pollIntervalMs);
    this.idleWaitMs = spec.pollIntervalMs;
    this.unwatch = this.watch();
    this.reads = new PartitionReads({
      session,
      stream: spec.stream,
      topic: spec.topic,
      consumer: this.consumer,
      batchSize: spec.batchSize,
      watched: this.unwatch !== undefined,
      closed: () => this.closed,
    });
  }

  private get positions(): PartitionPositions {
    return this.reads.positions;
  }

  private readonly onClose: (() => void) | undefined;
  /** Its connector's joins (one at a time per group). */
  private readonly joins: GroupJoins;

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

  /**
   * Stores `message`'s offset as the consumer's or group's. Not for a message polled on a session since
   * lost: the new session resumed from the stored offsets (it is delivered again), and a server that
   * restarted may have lost the messages that offset meant, so storing it could skip new ones.
   */
  async commit(message: ReceivedMessage): Promise<void> {
    const polledOn = SubscribedMessage.sessionEpochOf(message);
    if (polledOn !== undefined && polledOn !== this.sessionEpoch()) return;
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
    return new Promise<T | null>((resolve, reject) => {
      this.pendingReads.add(resolve);
      const run = (): void => {
        read().then(
          (value) => {
            this.readDone(resolve);
            resolve(value);
          },
          (err: unknown) => {
            this.readDone(resolve);
            reject(err);
          },
        );
      };
      if (this.waiting++ === 0) run();
      else this.queuedReads.push(run);
    });
  }

  /** The read under way ended: the next one waiting starts. */
  private readDone(settle: (closed: null) => void): void {
    this.pendingReads.delete(settle);
    this.waiting--;
    this.queuedReads.shift()?.();
  }

  private async next(): Promise<ReceivedMessage | null> {
    return (await this.buffered()) ? this.take() : null;
  }

  /** The buffered messages of the next one's partition (a round over the network may buffer several). */
  private async nextBatch(): Promise<ReceivedMessage[] | null> {
    if (!(await this.buffered())) return null;
    const { buffer, at } = this;
    const partition = buffer[at]!.partition;
    let end = at + 1;
    while (end < buffer.length && buffer[end]!.partition === partition) end++;
    const batch = at === 0 && end === buffer.length ? buffer : buffer.slice(at, end);
    this.at = end;
    const last = batch[batch.length - 1]!;
    this.positions.handedOut(last.partition, last.offset, last.id);
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
    this.positions.handedOut(message.partition, message.offset, message.id);
    return message;
  }

  /** The session was re-established: drop what is buffered; a group rejoins and resumes from its offsets. */
  private sessionLost(): void {
    this.epoch = this.sessionEpoch();
    this.buffer = [];
    this.at = 0;
    this.positions.suspect();
    if (this.spec.target.kind === 'group') {
      this.joined = false;
      this.positions.forget();
    }
  }

  private async fill(): Promise<void> {
    let batches: PolledBatch[];
    this.appended = false;
    try {
      batches = this.spec.target.kind === 'group' ? await this.pollGroup() : await this.pollSingle();
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
    if (batches.length === 0) return this.idle();
    for (const batch of batches) this.assignment?.polled(batch.partitionId);
    this.buffer = batches.length === 1 ? batches[0]!.messages : batches.flatMap((batch) => batch.messages);
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

  private async pollSingle(): Promise<PolledBatch[]> {
    const target = this.spec.target;
    const batch = target.kind === 'partition' ? await this.reads.single(target) : null;
    return batch ? [batch] : [];
  }

  /** One round over the member's partitions: in process until one has something new, else all of them. */
  private async pollGroup(): Promise<PolledBatch[]> {
    const target = this.spec.target;
    if (target.kind !== 'group') return [];
    if (!this.joined) await this.join(target.group);
    if (!this.unwatch || !this.session.pollablePartitions) return this.reads.next(target);
    const { stream, topic } = this.spec;
    const partitions = this.session.pollablePartitions({
      streamId: stream,
      topicId: topic,
      groupId: target.group,
    });
    if (partitions === undefined) {
      // No longer a member (the broker dropped the session's membership): join again on the next round.
      this.joined = false;
      this.positions.forget();
      return [];
    }
    const batch = await this.reads.own(target, partitions);
    return batch ? [batch] : [];
  }

  private async join(group: string): Promise<void> {
    const joined = await this.joins.join(this.session, {
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
