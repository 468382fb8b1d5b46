import type { ReceivedMessage } from '../connectors/message-subscriber.js';

/** Thrown by `process` when the lanes stop before a message was done: it stays uncommitted. */
export class LaneStopped extends Error {
  override readonly name = 'LaneStopped';
  constructor() {
    super('stopped before the message was handled');
  }
}

export interface LaneCallbacks {
  /** Handles one message; resolves once it may be committed; throws `LaneStopped` on stop. */
  process(message: ReceivedMessage): Promise<void>;
  /** Commits the offset of `message` (the last handled of its partition). */
  commit(message: ReceivedMessage): Promise<void>;
  /** A commit failed: logged; the next commit of the partition covers it. */
  onCommitError(message: ReceivedMessage, error: unknown): void;
  /** `process` threw something else than `LaneStopped` (a bug): the partition stalls until the next push. */
  onProcessError(message: ReceivedMessage, error: unknown): void;
}

export interface LaneStatus {
  partition: number;
  queued: number;
  inFlight: boolean;
  lastHandledOffset: bigint | null;
  lastCommittedOffset: bigint | null;
}

interface Lane {
  partition: number;
  queue: ReceivedMessage[];
  active: boolean;
  handled: ReceivedMessage | null;
  committed: bigint | null;
}

/**
 * One queue per partition: a partition's messages are handled one at a time, in offset order, and
 * committed in that order (every `commitEvery` messages and whenever its queue runs dry); up to
 * `concurrency` partitions are handled at once. A lane gives its slot up after `commitEvery`
 * messages when other partitions wait, so a busy partition does not starve the rest.
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
    private readonly commitEvery: number,
    private readonly callbacks: LaneCallbacks,
  ) {}

  /** Messages queued and in flight. */
  get buffered(): number {
    return this.queued;
  }

  push(message: ReceivedMessage): void {
    if (this.stopped) return;
    let lane = this.lanes.get(message.partition);
    if (!lane) {
      lane = { partition: message.partition, queue: [], active: false, handled: null, committed: null };
      this.lanes.set(message.partition, lane);
    }
    const last = lane.queue.at(-1) ?? lane.handled;
    if (last && message.offset <= last.offset) return; // already queued or handled here (a redelivery)
    lane.queue.push(message);
    this.queued++;
    if (!lane.active && !this.ready.includes(lane)) this.ready.push(lane);
    this.pump();
  }

  /** Resolves once fewer than `max` messages are buffered, or on stop. */
  async waitForRoom(max: number): Promise<void> {
    while (!this.stopped && this.queued >= max) await this.changed();
  }

  /** Starts no further message; queued ones are dropped (they stay uncommitted). */
  stop(): void {
    this.stopped = true;
    for (const lane of this.lanes.values()) {
      this.queued -= lane.active ? Math.max(0, lane.queue.length - 1) : lane.queue.length;
      lane.queue.length = lane.active ? Math.min(lane.queue.length, 1) : 0;
    }
    this.ready.length = 0;
    this.notify();
  }

  /** Resolves true once no lane is busy (their last handled messages committed), false after `timeoutMs`. */
  async idle(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
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

  /** Commits every partition's last handled message not yet committed (at stop, for lanes still busy). */
  async flush(): Promise<void> {
    await Promise.all(
      [...this.lanes.values()]
        .filter((lane) => lane.handled && (lane.committed === null || lane.committed < lane.handled.offset))
        .map((lane) => this.commit(lane, lane.handled!)),
    );
  }

  status(): LaneStatus[] {
    return [...this.lanes.values()]
      .sort((a, b) => a.partition - b.partition)
      .map((lane) => ({
        partition: lane.partition,
        queued: lane.queue.length,
        inFlight: lane.active,
        lastHandledOffset: lane.handled?.offset ?? null,
        lastCommittedOffset: lane.committed,
      }));
  }

  private pump(): void {
    while (!this.stopped && this.running < this.concurrency && this.ready.length > 0) {
      const lane = this.ready.shift()!;
      lane.active = true;
      this.running++;
      void this.runLane(lane);
    }
  }

  private async runLane(lane: Lane): Promise<void> {
    let uncommitted: ReceivedMessage | undefined;
    let turn = 0;
    let stalled = false;
    try {
      while (!this.stopped && lane.queue.length > 0) {
        const message = lane.queue[0]!;
        await this.callbacks.process(message);
        lane.queue.shift();
        this.queued--;
        lane.handled = message;
        uncommitted = message;
        this.notify();
        if (++turn % this.commitEvery === 0) {
          await this.commit(lane, message);
          uncommitted = undefined;
          if (this.ready.length > 0) break;
        }
      }
    } catch (error) {
      if (!(error instanceof LaneStopped)) {
        this.callbacks.onProcessError(lane.queue[0]!, error);
        stalled = true;
      }
    } finally {
      if (uncommitted) await this.commit(lane, uncommitted);
      if (this.stopped) {
        this.queued -= lane.queue.length;
        lane.queue.length = 0;
      }
      lane.active = false;
      this.running--;
      if (lane.queue.length > 0 && !stalled) this.ready.push(lane);
      this.pump();
      this.notify();
    }
  }

  private async commit(lane: Lane, message: ReceivedMessage): Promise<void> {
    try {
      await this.callbacks.commit(message);
      lane.committed = message.offset;
    } catch (error) {
      this.callbacks.onCommitError(message, error);
    }
  }

  private changed(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
