import { sleepUnless } from './transport-support.js';
/** What the dispatcher needs of a message. */
export interface Partitioned {
  partition: number;
}

export interface PartitionDispatcherOptions {
  /** Partitions handled at the same time (default 4). */
  concurrency: number;
  /** Messages buffered (queued + in flight) before `push` waits (default 256). */
  maxBuffered: number;
  /** Messages a partition handles in a row before it lets a waiting partition go first (default 32). */
  fairnessBatch: number;
}

/**
 * Hands messages to `handle` one at a time per partition, in arrival order (so per-partition order
 * holds), and up to `concurrency` partitions in parallel. `push` waits while the buffer is full, which
 * slows the poll loop down to the handlers' pace. `handle` must not throw.
 */
export class PartitionDispatcher<M extends Partitioned> {
  private readonly queues = new Map<number, M[]>();
  private readonly running = new Set<number>();
  private readonly waiting: number[] = [];
  private buffered = 0;
  private stopped = false;
  private spaceWaiters: (() => void)[] = [];
  private idleWaiters: (() => void)[] = [];
  private readonly options: PartitionDispatcherOptions;

  constructor(
    private readonly handle: (message: M) => Promise<void>,
    options: Partial<PartitionDispatcherOptions> = {},
  ) {
    this.options = { concurrency: 4, maxBuffered: 256, fairnessBatch: 32, ...options };
  }

  /** Messages queued or being handled. */
  get size(): number {
    return this.buffered;
  }

  /** Partitions with a handler running now. */
  get activePartitions(): number {
    return this.running.size;
  }

  /** Queues a message; resolves once there is room for the next one. Ignored after `stop`. */
  async push(message: M): Promise<void> {
    if (this.stopped) return;
    let queue = this.queues.get(message.partition);
    if (!queue) this.queues.set(message.partition, (queue = []));
    queue.push(message);
    this.buffered++;
    this.schedule(message.partition);
    while (this.buffered >= this.options.maxBuffered && !this.stopped) {
      await new Promise<void>((resolve) => this.spaceWaiters.push(resolve));
    }
  }

  /** Resolves when nothing is queued or running. */
  whenIdle(): Promise<void> {
    if (this.running.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** `whenIdle` bounded by `ms`: true when idle in time, false when handlers were still running. */
  async whenIdleWithin(ms: number): Promise<boolean> {
    const timer = new AbortController();
    try {
      return await Promise.race([
        this.whenIdle().then(() => true),
        sleepUnless(ms, timer.signal).then(() => false),
      ]);
    } finally {
      timer.abort();
    }
  }

  /**
   * Takes no more messages and drops the queued ones that have not started (they are not committed, so
   * they come again); resolves the number dropped. The handlers already running go on: `whenIdle()`.
   */
  stop(): number {
    this.stopped = true;
    let dropped = 0;
    for (const queue of this.queues.values()) {
      dropped += queue.length;
      queue.length = 0;
    }
    this.buffered -= dropped;
    this.waiting.length = 0;
    this.wakeSpaceWaiters();
    if (this.running.size === 0) this.wakeIdleWaiters();
    return dropped;
  }

  private schedule(partition: number): void {
    if (this.running.has(partition) || this.waiting.includes(partition)) return;
    if (this.running.size < this.options.concurrency) this.start(partition);
    else this.waiting.push(partition);
  }

  private start(partition: number): void {
    this.running.add(partition);
    void this.work(partition);
  }

  private async work(partition: number): Promise<void> {
    const queue = this.queues.get(partition) ?? [];
    let handled = 0;
    while (queue.length > 0 && !this.stopped) {
      if (handled >= this.options.fairnessBatch && this.waiting.length > 0) break;
      const message = queue.shift() as M;
      try {
        await this.handle(message);
      } catch {
        // `handle` reports its own failures; the partition goes on.
      }
      handled++;
      this.buffered--;
      this.wakeSpaceWaiters();
    }
    this.running.delete(partition);
    if (queue.length === 0) this.queues.delete(partition);
    else if (!this.stopped) this.waiting.push(partition);
    while (this.running.size < this.options.concurrency && this.waiting.length > 0) {
      this.start(this.waiting.shift() as number);
    }
    if (this.running.size === 0) this.wakeIdleWaiters();
  }

  private wakeSpaceWaiters(): void {
    const waiters = this.spaceWaiters;
    this.spaceWaiters = [];
    for (const wake of waiters) wake();
  }

  private wakeIdleWaiters(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const wake of waiters) wake();
  }
}
