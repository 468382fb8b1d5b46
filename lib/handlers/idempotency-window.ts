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
  private readonly ids = new Map<string, true>();

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

  /** Records `id` as handled (the oldest id leaves when the window is full). */
  add(id: string): void {
    if (this.capacity === 0) return;
    this.ids.delete(id);
    this.ids.set(id, true);
    if (this.ids.size > this.capacity) {
      const oldest = this.ids.keys().next();
      if (!oldest.done) this.ids.delete(oldest.value);
    }
  }
}
