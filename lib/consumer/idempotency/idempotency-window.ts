/**
 * The ids of the last `capacity` envelopes a group handled, in this process: a redelivery within the
 * window (after a rebalance, a retried commit...) is skipped. It is not durable and not shared between
 * instances: after a crash or a restart the window is empty, and the messages after the last commit
 * are delivered again (a durable `IdempotencyStore` closes that gap, but for one window: see
 * `IdempotencyGuard`). For an effect that must happen exactly once, record `envelope.id` in the same
 * transaction as the effect (a unique key on a processed-events table) and skip it when present.
 * Iggy 0.7 offers no exactly-once delivery.
 */
export class IdempotencyWindow {
  /** Each id held, with the position of its latest `add` (counted from the first). */
  private readonly ids = new Map<string, number>();
  /**
   * The ids in the order they were added, from position `base + head` on; an entry whose id was added
   * again later is stale. (A `Map`'s own insertion order would do, but evicting its oldest key gets
   * slower with every key deleted before it until V8 rehashes the table.)
   */
  private order: string[] = [];
  private head = 0;
  private base = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 0) {
      throw new TypeError(`idempotency window must be a non-negative integer, got ${capacity}`);
    }
  }

  get size(): number {
    return this.ids.size;
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  /** Records `id` as handled (the least recently added id leaves when the window is full). */
  add(id: string): void {
    if (this.capacity === 0) return;
    this.ids.set(id, this.base + this.order.length);
    this.order.push(id);
    while (this.ids.size > this.capacity) {
      const oldest = this.order[this.head]!;
      if (this.ids.get(oldest) === this.base + this.head) this.ids.delete(oldest);
      this.head++;
    }
    if (this.order.length - this.head > 2 * this.capacity) this.dropStale();
    else if (this.head >= 1024 && this.head * 2 >= this.order.length) this.dropHead();
  }

  /** Forgets the evicted entries at the front of `order`. */
  private dropHead(): void {
    this.order = this.order.slice(this.head);
    this.base += this.head;
    this.head = 0;
  }

  /** Keeps only each id's latest entry (ids added again and again would otherwise pile up). */
  private dropStale(): void {
    const live: string[] = [];
    for (let i = this.head; i < this.order.length; i++) {
      const id = this.order[i]!;
      if (this.ids.get(id) === this.base + i) live.push(id);
    }
    this.base += this.order.length;
    this.order = live;
    this.head = 0;
    live.forEach((id, i) => this.ids.set(id, this.base + i));
  }
}
