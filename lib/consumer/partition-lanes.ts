import { EventLoopTurns } from '../common/event-loop-turns.js';
import { isPending, type MaybePromise } from '../common/maybe-promise.js';
import type { ReceivedMessage } from '../connectors/message-subscriber.js';
import { SubscribedMessage } from '../connectors/subscribed-message.js';

/** What the consumer reports of one partition. */
export interface LaneStatus {
  partition: number;
  queued: number;
  inFlight: boolean;
  lastHandledOffset: bigint | null;
  lastCommittedOffset: bigint | null;
}

/**
 * Handles one message: true once it may be committed, false when the consumer stopped first; a
 * promise of that while it is pending.
 */
export type LaneWork = (message: ReceivedMessage) => MaybePromise<boolean>;

interface Lane {
  partition: number;
  /** Messages waiting, from `head` on. */
  queue: ReceivedMessage[];
  head: number;
  active: boolean;
  waiting: boolean;
  /** Offset of the last message queued here: an older one coming again (a redelivery) is dropped. */
  last: bigint;
  handled: bigint | null;
  /** `SubscribedMessage.cutsOf` the last message queued: a message of a later cut starts the offsets over. */
  cuts: number;
}

/**
 * The consumer's one scheduler: a lane per partition, handled one message at a time in offset order (so
 * a tenant's events keep their order); up to `concurrency` lanes at once. A lane gives its slot up after
 * `fairnessBatch` messages in a row when other lanes wait, so a busy partition does not starve the rest.
 * The poll loop waits (`waitForRoom`) while `buffered` is at its bound.
 */
export class PartitionLanes {
  private readonly lanes = new Map<number, Lane>();
  private readonly ready: Lane[] = [];
  private running = 0;
  private queued = 0;
  private stopped = false;
  private waiters: (() => void)[] = [];

  constructor(
    private readonly concurrency: number,
    private readonly work: LaneWork,
    /** The event loop's turns, shared with whoever else feeds the same backlog (the poll loop). */
    private readonly turns = new EventLoopTurns(),
    private readonly fairnessBatch = 32,
  ) {}

  /** Messages queued and in flight. */
  get buffered(): number {
    return this.queued;
  }

  /** Lanes handling a message now. */
  get active(): number {
    return this.running;
  }

  /** Queues a message; false when it is not taken (stopped, or a redelivery of one queued or handled here). */
  push(message: ReceivedMessage): boolean {
    const taken = this.enqueue(message);
    if (taken) this.pump();
    return taken;
  }

  /**
   * Queues a polled batch, telling `taken` of each message taken before any of them is handled (a
   * handler that finishes at once runs within this call).
   */
  pushAll(messages: readonly ReceivedMessage[], taken: (message: ReceivedMessage) => void): void {
    for (const message of messages) if (this.enqueue(message)) taken(message);
    this.pump();
  }

  private enqueue(message: ReceivedMessage): boolean {
    if (this.stopped) return false;
    let lane = this.lanes.get(message.partition);
    const cuts = SubscribedMessage.cutsOf(message);
    if (!lane) {
      lane = {
        partition: message.partition,
        queue: [],
        head: 0,
        active: false,
        waiting: false,
        last: -1n,
        handled: null,
        cuts,
      };
      this.lanes.set(message.partition, lane);
    } else if (cuts > lane.cuts) {
      // The partition's log was cut and filled again: its offsets start over with new messages.
      lane.cuts = cuts;
    } else if (message.offset <= lane.last) return false;
    lane.last = message.offset;
    lane.queue.push(message);
    this.queued++;
    if (!lane.active && !lane.waiting) {
      lane.waiting = true;
      this.ready.push(lane);
    }
    return true;
  }

  /** Fewer than `max` messages are buffered (or the lanes stopped): `waitForRoom` would return at once. */
  hasRoom(max: number): boolean {
    return this.stopped || this.queued < max;
  }

  /** Resolves once fewer than `max` messages are buffered, or on stop. */
  async waitForRoom(max: number): Promise<void> {
    while (!this.hasRoom(max)) await this.changed();
  }

  /** Starts no further message; the queued ones are dropped (they stay uncommitted). Returns how many. */
  stop(): number {
    this.stopped = true;
    let dropped = 0;
    for (const lane of this.lanes.values()) {
      // An active lane's head is in flight: it stays until its handler returns.
      const keep = lane.active ? lane.head + 1 : lane.head;
      dropped += Math.max(0, lane.queue.length - keep);
      lane.queue.length = Math.min(lane.queue.length, keep);
    }
    this.queued -= dropped;
    this.ready.length = 0;
    this.notify();
    return dropped;
  }

  /** Resolves true once no lane is busy, false at `deadline` (ms since the epoch) when some still are. */
  async idleBy(deadline: number): Promise<boolean> {
    while (this.running > 0) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, left)));
      await Promise.race([this.changed(), timeout]);
      clearTimeout(timer);
    }
    return true;
  }

  status(): Omit<LaneStatus, 'lastCommittedOffset'>[] {
    return [...this.lanes.values()]
      .sort((a, b) => a.partition - b.partition)
      .map((lane) => ({
        partition: lane.partition,
        queued: lane.queue.length - lane.head,
        inFlight: lane.active,
        lastHandledOffset: lane.handled,
      }));
  }

  private pump(): void {
    while (!this.stopped && this.running < this.concurrency && this.ready.length > 0) {
      const lane = this.ready.shift()!;
      lane.waiting = false;
      lane.active = true;
      this.running++;
      void this.run(lane);
    }
  }

  private async run(lane: Lane): Promise<void> {
    let turn = 0;
    let blocked = false;
    try {
      while (!this.stopped && lane.head < lane.queue.length) {
        if (turn >= this.fairnessBatch && this.ready.length > 0) break;
        const message = lane.queue[lane.head]!;
        let done: boolean;
        try {
          const work = this.work(message);
          done = isPending(work) ? await work : work;
        } catch {
          done = false; // `work` reports its own failures; this one is a bug: the message stays uncommitted
        }
        if (!done) {
          blocked = true; // stopped (or a bug): the lane waits, its message uncommitted
          break;
        }
        lane.head++;
        lane.handled = message.offset;
        this.queued--;
        turn++;
        if ((turn & 15) === 0 && this.turns.due) await this.turns.take();
        if (lane.head === lane.queue.length) {
          lane.queue.length = 0; // keeps the array: a paced lane drains after nearly every message
          lane.head = 0;
        } else if (lane.head >= 256 && lane.head * 2 >= lane.queue.length) {
          lane.queue = lane.queue.slice(lane.head);
          lane.head = 0;
        }
        this.notify();
      }
    } finally {
      lane.active = false;
      this.running--;
      if (!this.stopped && !blocked && lane.head < lane.queue.length) {
        lane.waiting = true;
        this.ready.push(lane);
      }
      this.pump();
      this.notify();
    }
  }

  private changed(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private notify(): void {
    if (this.waiters.length === 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}
