import type { RetryOptions } from './retry-options.js';
import { describeError, sleepUnless } from './consumer-support.js';

/**
 * The delay before attempt `attempt + 1` (after `attempt` failed): `initialDelayMs * multiplier^(attempt-1)`,
 * capped at `maxDelayMs`, then spread by ±`jitter` (a fraction) so that instances do not retry in step.
 */
export function backoffDelayMs(
  retry: RetryOptions,
  attempt: number,
  random: () => number = Math.random,
): number {
  const base = Math.min(
    retry.maxDelayMs,
    retry.initialDelayMs * retry.multiplier ** Math.max(0, attempt - 1),
  );
  const jitter = Math.min(1, Math.max(0, retry.jitter));
  const spread = base * jitter * (random() * 2 - 1);
  return Math.max(0, Math.round(Math.min(retry.maxDelayMs, base + spread)));
}

/** A message whose handling keeps failing: its partition waits (and retries) until it passes. */
export interface StalledPartition {
  partition: number;
  offset: bigint;
  failures: number;
  error: string;
  since: Date;
}

/** How `PartitionStalls.untilHandled` waits and reports. */
export interface RedeliveryHooks {
  /** Cuts the wait between two tries short (the consumer stops). */
  signal: AbortSignal;
  /** Asked before every try: true gives up (the message stays uncommitted, to be delivered again). */
  stopped(): boolean;
  /** A try failed: the message is not committed and is tried again after `delayMs`. */
  onFailure(stall: StalledPartition, delayMs: number, error: unknown): void;
}

/**
 * The at-least-once guard shared by `IggyServer` and the `@IggyEventHandler` consumer groups: a message
 * whose handling failed for good (the DLQ is off or could not be written) is never committed; its
 * partition stalls (it is handled in order, so nothing after it passes either) and the message is tried
 * again with the retry backoff until it passes or the consumer stops. Other partitions go on.
 */
export class PartitionStalls {
  private readonly stalled = new Map<number, StalledPartition>();

  constructor(private readonly retry: RetryOptions) {}

  /** Runs `handle` until it resolves (true) or the consumer stops first (false). */
  async untilHandled(
    message: { partition: number; offset: bigint },
    handle: () => Promise<void>,
    hooks: RedeliveryHooks,
  ): Promise<boolean> {
    const { partition, offset } = message;
    for (let failures = 1; ; failures++) {
      if (hooks.stopped()) return false;
      try {
        await handle();
        this.stalled.delete(partition);
        return true;
      } catch (error) {
        const delay = backoffDelayMs(this.retry, failures);
        const stall: StalledPartition = {
          partition,
          offset,
          failures,
          error: error instanceof Error ? `${error.name}: ${error.message}` : describeError(error),
          since: this.stalled.get(partition)?.since ?? new Date(),
        };
        this.stalled.set(partition, stall);
        hooks.onFailure(stall, delay, error);
        await sleepUnless(delay, hooks.signal);
      }
    }
  }

  /** The partitions waiting on a failing message now. */
  list(): StalledPartition[] {
    return [...this.stalled.values()].sort((a, b) => a.partition - b.partition);
  }
}
