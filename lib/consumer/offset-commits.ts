import type { ReceivedMessage } from '../connectors/message-subscriber.js';

/** When the handled offsets of a partition are committed (besides at stop and drain). */
export interface CommitPolicy {
  /** Commit once this many messages of a partition were handled since its last commit (default 100). */
  every: number;
  /** Commit what was handled at most this long ago (default 100 ms). */
  intervalMs: number;
}

export const DEFAULT_COMMIT_POLICY: CommitPolicy = { every: 100, intervalMs: 100 };

/**
 * Failed commits of a partition retried on the timer before it waits for the next handled message (or the
 * final flush): a partition taken over by another member refuses our commits for good, and its messages
 * come again to their new owner anyway.
 */
const TIMED_RETRIES = 3;

/** One partition: the messages delivered and not yet passed by its commit point, in delivery order. */
class PartitionOffsets {
  /** Delivered messages from `head` on, and whether each was handled. */
  private messages: ReceivedMessage[] = [];
  private handledFlags: boolean[] = [];
  private head = 0;
  /** The highest message with every message delivered before it handled too. */
  contiguous: ReceivedMessage | undefined;
  /** Handled (contiguously) since the last commit was started. */
  sinceCommit = 0;
  committed: bigint | null = null;
  committing = false;
  /** A commit is wanted as soon as the one in flight ends. */
  again = false;
  /** The contiguous point moved (or a failed commit is to be retried) since the last commit started. */
  dirty = false;
  /** Commits failed in a row. */
  failures = 0;

  /** The offset of the last message delivered. */
  lastDelivered: bigint | undefined;

  delivered(message: ReceivedMessage): void {
    this.messages.push(message);
    this.handledFlags.push(false);
    this.lastDelivered = message.offset;
  }

  /** Marks `message` handled; true when the contiguous point moved. */
  handled(message: ReceivedMessage): boolean {
    let at = this.head;
    if (this.messages[at] !== message) {
      at = this.messages.indexOf(message, this.head);
      if (at < 0) return false; // not delivered here (or already passed)
    }
    this.handledFlags[at] = true;
    if (at !== this.head) return false;
    while (this.head < this.messages.length && this.handledFlags[this.head]) {
      this.contiguous = this.messages[this.head]!;
      this.head++;
      this.sinceCommit++;
    }
    this.dirty = true;
    this.compact();
    return true;
  }

  /** The contiguous point when it is past what was committed, else undefined. */
  uncommitted(): ReceivedMessage | undefined {
    const last = this.contiguous;
    return last && (this.committed === null || last.offset > this.committed) ? last : undefined;
  }

  private compact(): void {
    if (this.head === this.messages.length) {
      this.messages = [];
      this.handledFlags = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.messages.length) {
      this.messages = this.messages.slice(this.head);
      this.handledFlags = this.handledFlags.slice(this.head);
      this.head = 0;
    }
  }
}

/**
 * The consumer's commits. Each partition's commit point is the highest *contiguous* handled offset: a
 * message is committed only once it and every message delivered before it on its partition were handled
 * (so a message still failing, or dropped at stop, is never skipped over). Commits run in the background,
 * never holding the next message up: one per partition at a time, started once `every` messages were
 * handled since the last one, or `intervalMs` after a handled message, and by `flush()` (stop, drain). A
 * failed commit is reported and retried by the next (the timer retries it a few times even when no
 * message comes). After `close()` nothing is committed any more.
 */
export class OffsetCommits {
  private readonly partitions = new Map<number, PartitionOffsets>();
  private readonly inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly store: (message: ReceivedMessage) => Promise<void>,
    private readonly policy: CommitPolicy,
    private readonly onError: (error: unknown, message: ReceivedMessage) => void,
  ) {}

  /**
   * A message was handed to its partition's lane (call in offset order per partition). One at or below the
   * last delivered offset starts the partition afresh: it is read again (a session lost) or its log was cut
   * (a server that lost its tail), and its commit point follows the new messages, even below the old one.
   */
  delivered(message: ReceivedMessage): void {
    let partition = this.partition(message.partition);
    const last = partition.lastDelivered;
    if (last !== undefined && message.offset <= last) {
      // A commit still under way finishes on the old tracking and leaves this one alone.
      this.partitions.set(message.partition, (partition = new PartitionOffsets()));
    }
    partition.delivered(message);
  }

  /** The message was handled (or dead-lettered): its offset may be committed once its predecessors are. */
  handled(message: ReceivedMessage): void {
    if (this.closed) return;
    const partition = this.partitions.get(message.partition);
    if (!partition?.handled(message)) return;
    if (partition.sinceCommit >= this.policy.every) this.commit(message.partition, partition);
    else this.arm();
  }

  /** Commits every partition's contiguous point not stored yet, and waits for every commit under way. */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.closed) for (const [id, partition] of this.partitions) this.commit(id, partition);
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
  }

  /** No commit is started from now on (the ones under way finish). */
  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** The last offset stored for `partition`, and the highest contiguous handled one. */
  offsets(partition: number): { handled: bigint | null; committed: bigint | null } {
    const p = this.partitions.get(partition);
    return { handled: p?.contiguous?.offset ?? null, committed: p?.committed ?? null };
  }

  private partition(id: number): PartitionOffsets {
    let partition = this.partitions.get(id);
    if (!partition) this.partitions.set(id, (partition = new PartitionOffsets()));
    return partition;
  }

  private arm(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      for (const [id, partition] of this.partitions) if (partition.dirty) this.commit(id, partition);
    }, this.policy.intervalMs);
    this.timer.unref();
  }

  private commit(id: number, partition: PartitionOffsets): void {
    if (this.closed) return;
    if (partition.committing) {
      partition.again = true;
      return;
    }
    const message = partition.uncommitted();
    if (!message) return;
    partition.committing = true;
    partition.again = false;
    partition.dirty = false;
    partition.sinceCommit = 0;
    const run = this.store(message).then(
      () => {
        partition.failures = 0;
        if (partition.committed === null || message.offset > partition.committed) {
          partition.committed = message.offset;
        }
      },
      (error: unknown) => {
        this.onError(error, message);
        // The next commit retries it: a few on the timer, even when no message comes.
        if (++partition.failures <= TIMED_RETRIES) {
          partition.dirty = true;
          this.arm();
        }
      },
    );
    const tracked = run.finally(() => {
      partition.committing = false;
      this.inFlight.delete(tracked);
      if (partition.again) this.commit(id, partition);
    });
    this.inFlight.add(tracked);
  }
}
