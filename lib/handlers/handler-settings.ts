import type { IdempotencyStore } from '../consumer/idempotency/idempotency-store.js';
import { DEFAULT_COMMIT_POLICY } from '../consumer/offset-commits.js';
import { defaultRetryOptions, type RetryOptions } from '../consumer/retry-options.js';
import { DLQ_TOPIC_NAME } from '../topology/topology-config.js';

export interface DlqOptions {
  /** Default true: a message that still fails after its retries is written to the DLQ topic and committed. */
  enabled: boolean;
  /** Default `dlq`. */
  topic: string;
}

export interface HandlerOptions {
  /** Partitions handled in parallel per group (default 4). */
  concurrency: number;
  /** Skip an envelope id this group already handled (default true; kept for `idempotencyWindow` ids per group). */
  idempotency: boolean;
  idempotencyWindow: number;
  /**
   * Where the guard keeps the handled ids (default: a `MemoryIdempotencyStore` of `idempotencyWindow`
   * ids per group, lost on restart). `PgIdempotencyStore` / `SqliteIdempotencyStore` make it durable.
   */
  idempotencyStore?: IdempotencyStore;
  /** How long a group's shutdown may take in all: in-flight handlers, the last commits (default 10 s). */
  shutdownTimeoutMs: number;
  /** A partition's handled offset is committed every this many messages (default 100)... */
  commitEvery: number;
  /** ...and at most this long after a message was handled (default 100 ms); always at shutdown. */
  commitIntervalMs: number;
}

export const DEFAULT_DLQ_OPTIONS: DlqOptions = { enabled: true, topic: DLQ_TOPIC_NAME };

export const DEFAULT_HANDLER_OPTIONS: HandlerOptions = {
  concurrency: 4,
  idempotency: true,
  idempotencyWindow: 10_000,
  shutdownTimeoutMs: 10_000,
  commitEvery: DEFAULT_COMMIT_POLICY.every,
  commitIntervalMs: DEFAULT_COMMIT_POLICY.intervalMs,
};

/**
 * How the handler groups' subscriptions poll (`handlers.pollIntervalMs`, `handlers.batchSize`); left
 * out, the connector's subscription defaults apply (50 ms, 1000 messages).
 */
export interface HandlerPollOptions {
  /** Longest wait after an empty poll (an embedded subscription is woken by new messages before it). */
  pollIntervalMs?: number;
  /** Messages fetched per poll. */
  batchSize?: number;
}

/** The module's options with the handler, retry and DLQ defaults filled in. */
export interface HandlerSettings {
  retry: RetryOptions;
  dlq: DlqOptions;
  handlers: HandlerOptions & HandlerPollOptions;
}

/** What the handler settings are read from: these parts of the module's options (`IGGY_OPTIONS`). */
export interface HandlerSettingsInput {
  retry?: Partial<RetryOptions>;
  dlq?: Partial<DlqOptions>;
  handlers?: Partial<HandlerOptions> & HandlerPollOptions;
}

/** Fills the defaults in (the module resolves them too; this keeps the providers safe without it). */
export function resolveHandlerSettings(options: HandlerSettingsInput | undefined): HandlerSettings {
  return {
    retry: resolveRetryOptions(options?.retry),
    dlq: { ...DEFAULT_DLQ_OPTIONS, ...defined(options?.dlq) },
    handlers: {
      ...DEFAULT_HANDLER_OPTIONS,
      ...defined<Partial<HandlerOptions> & HandlerPollOptions>(options?.handlers),
    },
  };
}

/** Later layers win: `resolveRetryOptions(module.retry, handler.retry)`. */
export function resolveRetryOptions(...layers: (Partial<RetryOptions> | undefined)[]): RetryOptions {
  const merged = layers.reduce<RetryOptions>((acc, layer) => ({ ...acc, ...defined(layer) }), {
    ...defaultRetryOptions,
  });
  if (!Number.isInteger(merged.attempts) || merged.attempts < 1) {
    throw new TypeError(`retry.attempts must be an integer >= 1, got ${merged.attempts}`);
  }
  return merged;
}

function defined<T extends object>(value: T | undefined): Partial<T> {
  if (!value) return {};
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
