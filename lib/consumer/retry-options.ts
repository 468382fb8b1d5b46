/** Retries of a failing handler before its message goes to the dead-letter topic. */
export interface RetryOptions {
  /** Attempts in all, the first included (default 3). */
  attempts: number;
  /** Delay before the second attempt (default 100 ms). */
  initialDelayMs: number;
  /** Upper bound of a delay (default 5 s). */
  maxDelayMs: number;
  /** Growth of the delay per attempt (default 2). */
  multiplier: number;
  /** Random part of each delay, 0..1 (default 0.2). */
  jitter: number;
}

export const defaultRetryOptions: RetryOptions = {
  attempts: 3,
  initialDelayMs: 100,
  maxDelayMs: 5_000,
  multiplier: 2,
  jitter: 0.2,
};

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
