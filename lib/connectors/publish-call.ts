import type { PendingMessage } from './publish-grouping.js';

/** One `publish`/`publishBatch` call: settled when all its messages are, failed by its first failed batch. */
export class PublishCall {
  constructor(
    private remaining: number,
    private readonly resolve: () => void,
    private readonly reject: (error: Error) => void,
  ) {}

  settle(count: number, error: Error | undefined): void {
    if (this.remaining <= 0) return;
    if (error) {
      this.remaining = 0;
      this.reject(error);
    } else if ((this.remaining -= count) <= 0) this.resolve();
  }
}

/** A message of a publish call, queued for its batch. */
export type PendingPublish = PendingMessage<PublishCall>;
