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
