import { withJsonView } from '../events/json-view.js';
import { namedError } from '../common/error-text.js';

/** A message whose handling keeps failing: its partition waits (and retries) until it passes. */
export interface StalledPartition {
  partition: number;
  offset: bigint;
  failures: number;
  error: string;
  since: Date;
}

/**
 * The partitions waiting on a failing message now. A message whose handling failed for good (its DLQ
 * interceptor retried it and the DLQ is off or could not be written) is never committed: its partition
 * stalls (it is handled in order, so nothing after it passes either) and the consumer tries the message
 * again with the retry backoff until it passes or the consumer stops. Other partitions go on.
 */
export class PartitionStalls {
  private readonly stalled = new Map<number, StalledPartition>();

  /** Notes a failed try of the message at `offset`; returns the partition's stall. */
  failed(partition: number, offset: bigint, failures: number, error: unknown): StalledPartition {
    const stall: StalledPartition = {
      partition,
      offset,
      failures,
      error: namedError(error),
      since: this.stalled.get(partition)?.since ?? new Date(),
    };
    this.stalled.set(partition, stall);
    return stall;
  }

  /** The partition's message passed. */
  passed(partition: number): void {
    if (this.stalled.size > 0) this.stalled.delete(partition);
  }

  /** The stalls by partition, each serializable to JSON as it is (the offset as a decimal string). */
  list(): StalledPartition[] {
    return [...this.stalled.values()]
      .sort((a, b) => a.partition - b.partition)
      .map((stall) => withJsonView({ ...stall }));
  }
}
