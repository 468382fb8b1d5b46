import type { MessageSubscriber, ReceivedMessage } from '../connectors/message-subscriber.js';

/**
 * Commits handled messages without holding their partition up: per partition at most one commit is in
 * flight, and a newer handled offset replaces an older one still waiting (offsets only grow, so storing
 * the newest covers the ones before). `flush()` waits until every handled offset is stored.
 */
export class OffsetCommitter {
  private readonly pending = new Map<number, ReceivedMessage>();
  private readonly inFlight = new Map<number, Promise<void>>();

  constructor(
    private readonly subscriber: MessageSubscriber,
    private readonly onError: (err: unknown, message: ReceivedMessage) => void,
  ) {}

  /** Marks a message handled; its offset is stored soon after. */
  commit(message: ReceivedMessage): void {
    const waiting = this.pending.get(message.partition);
    if (!waiting || waiting.offset < message.offset) this.pending.set(message.partition, message);
    if (!this.inFlight.has(message.partition)) this.drain(message.partition);
  }

  /** Resolves once every offset marked so far is stored (or failed and was reported). */
  async flush(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all(this.inFlight.values());
  }

  private drain(partition: number): void {
    const run = (async () => {
      for (let next = this.take(partition); next; next = this.take(partition)) {
        try {
          await this.subscriber.commit(next);
        } catch (err) {
          this.onError(err, next);
        }
      }
    })().finally(() => {
      this.inFlight.delete(partition);
      if (this.pending.has(partition)) this.drain(partition);
    });
    this.inFlight.set(partition, run);
  }

  private take(partition: number): ReceivedMessage | undefined {
    const next = this.pending.get(partition);
    this.pending.delete(partition);
    return next;
  }
}
