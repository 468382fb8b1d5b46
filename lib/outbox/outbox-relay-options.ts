import type { IggyConnector } from '../connectors/iggy-connector.js';
import type { ProducerTelemetry } from '../observability/producer-telemetry.js';
import type { SerializerRegistry } from '../events/serializer-registry.js';
import type { OutboxLag, OutboxStore } from './outbox-store.js';

/** Callbacks for your metrics (Prometheus counters, logs...); each is optional and must not throw. */
export interface OutboxRelayMetrics {
  /** A batch was published and marked; `ms` from claim to mark. */
  onPublished?(count: number, ms: number): void;
  /** Publishing (or the database) failed; the relay waits `retryInMs` before the next attempt. */
  onFailure?(error: unknown, consecutiveFailures: number, retryInMs: number): void;
  /** A row that cannot be published was moved aside. */
  onDead?(eventId: string, error: string): void;
  onPurged?(count: number): void;
  /** Every `lagIntervalMs`. */
  onLag?(lag: OutboxLag): void;
}

/** Where the relay writes what a person should see (a Nest `Logger` fits). */
export interface OutboxRelayLogger {
  log?(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface RelayBackoff {
  /** First wait after a failure (default 100 ms). */
  initialMs: number;
  /** Longest wait (default 10 s). */
  maxMs: number;
  /** Growth per consecutive failure (default 2). */
  multiplier: number;
  /** Random part of each wait, 0..1 (default 0.2). */
  jitter: number;
}

export interface OutboxRelayOptions {
  store: OutboxStore<never>;
  /** `publishBatch`, and `onReconnect` when it has one (a broker back ends the relay's backoff). */
  connector: Pick<IggyConnector, 'publishBatch' | 'onReconnect'>;
  /** Rows per claim and per `publishBatch` (default 500). */
  batchSize?: number;
  /** Poll interval while rows keep coming (default 5 ms): bounds the latency under load. */
  busyPollMs?: number;
  /** How long after the last row the relay keeps polling at `busyPollMs` before it sleeps (default 100 ms). */
  lingerMs?: number;
  /** Poll interval of a sleeping relay when the store cannot watch for inserts (default 25 ms). */
  pollIntervalMs?: number;
  /** Safety poll interval of a sleeping relay whose store watches (PostgreSQL LISTEN) (default 1 s). */
  watchPollIntervalMs?: number;
  /** How often a standby checks whether the active relay is gone (default 500 ms). */
  standbyPollMs?: number;
  backoff?: Partial<RelayBackoff>;
  /** Published rows are deleted this long after publication (default 24 h); `null` keeps them. */
  retentionMs?: number | null;
  /** How often to purge (default 60 s). */
  purgeIntervalMs?: number;
  /**
   * Payloads are decoded with the serializer of their content type before publishing, so a corrupt one
   * is moved aside instead of reaching consumers (default: JSON and MessagePack); `false` skips it.
   */
  verifyPayloads?: SerializerRegistry | false;
  metrics?: OutboxRelayMetrics;
  /**
   * Producer metrics and traces of its publishes (the module's `IggyTelemetry`): each row's publish
   * continues the trace its headers carry.
   */
  telemetry?: ProducerTelemetry;
  /** How often `metrics.onLag` is called (default 10 s). */
  lagIntervalMs?: number;
  logger?: OutboxRelayLogger;
  /**
   * The bus writing into this outbox in this process: when the store cannot watch (SQLite), each write
   * wakes the relay, which then publishes as soon as the transaction commits instead of at its next poll.
   */
  bus?: { onWritten(listener: () => void): () => void };
}

export const RelayDefaults = {
  batchSize: 500,
  busyPollMs: 5,
  lingerMs: 100,
  pollIntervalMs: 25,
  watchPollIntervalMs: 1000,
  standbyPollMs: 500,
  backoff: { initialMs: 100, maxMs: 10_000, multiplier: 2, jitter: 0.2 } satisfies RelayBackoff,
  retentionMs: 24 * 60 * 60 * 1000,
  purgeIntervalMs: 60_000,
  purgeBatch: 5000,
  lagIntervalMs: 10_000,
} as const;

/** What the relay is doing. */
export type RelayState = 'stopped' | 'active' | 'idle' | 'standby' | 'backoff';

/** Counters since the relay was created. */
export interface RelayStats {
  state: RelayState;
  published: number;
  dead: number;
  failures: number;
  consecutiveFailures: number;
  lastError: string | undefined;
  /** Whether the store's watch (LISTEN) is on. */
  watching: boolean;
}

/** What one claim did. */
export interface RelayCycle {
  /** `standby`: another relay holds the outbox; `idle`: nothing pending. */
  outcome: 'standby' | 'idle' | 'published';
  published: number;
  dead: number;
  /** The claim was full: more rows are probably waiting. */
  full: boolean;
}
