import type { Call } from './call.js';
import { IggyClientError } from './errors.js';

/** Requests waiting to be written, bounded by count (`maxQueued`) and bytes (`maxQueuedBytes`). */
export class RequestQueue {
  private readonly calls: Call<unknown>[] = [];
  private bytes = 0;

  constructor(
    private readonly maxQueued: number,
    private readonly maxQueuedBytes: number,
  ) {}

  get length(): number {
    return this.calls.length;
  }

  /** Queues `call`, or rejects it with 'Backpressure' and returns false when the queue is full. */
  offer(call: Call<unknown>): boolean {
    const { maxQueued, maxQueuedBytes } = this;
    if (
      this.calls.length >= maxQueued ||
      (this.calls.length > 0 && this.bytes + call.bytes > maxQueuedBytes)
    ) {
      call.fail(
        new IggyClientError(
          'Backpressure',
          `${call.command}: ${this.calls.length} requests (${this.bytes} B) already wait to be written ` +
            `(maxQueued ${maxQueued}, maxQueuedBytes ${maxQueuedBytes}); not sent`,
          { command: call.command },
        ),
      );
      return false;
    }
    this.bytes += call.bytes;
    this.calls.push(call);
    return true;
  }

  remove(call: Call<unknown>): void {
    const at = this.calls.indexOf(call);
    if (at === -1) return;
    this.calls.splice(at, 1);
    this.bytes -= call.bytes;
  }

  /** Takes up to `max` unsettled calls, oldest first, marked written; settled ones are dropped. */
  take(max: number): Call<unknown>[] {
    const batch: Call<unknown>[] = [];
    while (batch.length < max && this.calls.length > 0) {
      const call = this.calls.shift()!;
      this.bytes -= call.bytes;
      if (call.settled) continue;
      call.written = true;
      batch.push(call);
    }
    return batch;
  }

  failAll(error: Error): void {
    this.bytes = 0;
    for (const call of this.calls.splice(0)) {
      if (error instanceof IggyClientError) call.onFailure(error);
      else call.fail(error);
    }
  }
}
