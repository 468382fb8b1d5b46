import type { EventEnvelope } from '../events/event-envelope.js';
import type { IggyEventContext } from '../consumer/iggy.context.js';
import { describeError } from '../common/error-text.js';

/** A function to replay events into (called directly, not through Nest's pipeline). */
export type ReplayHandler = (envelope: EventEnvelope, context: IggyEventContext) => unknown;

export interface ReplayOptions {
  /** Default: the connector's stream. */
  stream?: string;
  /** Default: the connector's topic (the domain topic). */
  topic?: string;
  /** Default `beginning`. A timestamp is µs since the epoch (bigint) or a Date. */
  from?: 'beginning' | { offset: bigint } | { timestamp: bigint | Date };
  /** Only this tenant's partition (`partitionForTenant`), and only this tenant's events in it. */
  tenantId?: string;
  /** Only these partitions (0-based); default all (or the tenant's). */
  partitions?: number[];
  /** Replay into the handlers of this registered `@IggyEventHandler` group (guards, interceptors... apply)... */
  group?: string;
  /** ...or into this function. */
  handler?: ReplayHandler;
  /** With `handler`: only event types matching this pattern (default every type). */
  types?: string;
  /**
   * With `group`: store the group's offsets as the replay goes (default false: the group's committed
   * offsets are left untouched). Storing moves them to the replayed positions, backwards too.
   */
  commit?: boolean;
  /** Partitions replayed at once (default 1); order within a partition is always kept. */
  concurrency?: number;
  /** `stop` (default): the first failure ends the replay (it rejects); `skip`: count it and go on. */
  onError?: 'stop' | 'skip';
  /** Called as the replay goes: every `progressEvery` messages of a partition and at its end. */
  onProgress?: (progress: ReplayProgress) => void;
  /** Default 100. */
  progressEvery?: number;
  signal?: AbortSignal;
}

export interface ReplayProgress {
  partition: number;
  /** Last offset read in the partition (`null` before the first). */
  offset: bigint | null;
  /** Messages read in the partition so far (handled, skipped or failed). */
  processed: number;
  /** Messages to read in the partition (from the start position to the end offset captured at start). */
  total: number;
  handled: number;
  skipped: number;
  failed: number;
  /** True on the partition's last report. */
  done: boolean;
}

export interface ReplayFailure {
  partition: number;
  offset: bigint;
  error: unknown;
}

export interface ReplayResult {
  stream: string;
  topic: string;
  partitions: ReplayProgress[];
  processed: number;
  handled: number;
  skipped: number;
  failed: number;
  /** The first 100 failures (with `onError: 'skip'`). */
  failures: ReplayFailure[];
  aborted: boolean;
  durationMs: number;
}

/** A replay stopped on a failure (`onError: 'stop'`): where, and why (`cause`). */
export class ReplayError extends Error {
  override readonly name = 'ReplayError';

  constructor(
    readonly partition: number,
    readonly offset: bigint,
    cause: unknown,
  ) {
    super(`replay failed at partition ${partition} offset ${offset}: ${describeError(cause)}`, { cause });
  }
}
