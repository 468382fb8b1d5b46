/*
 * The outbox as the health indicator reads it. Health does not import the outbox (a sibling room): the
 * module provides these tokens from `IGGY_OUTBOX_STORE` and `OutboxRelay`, typed against the interfaces
 * below, so a change of the outbox's shapes that breaks them fails to compile there.
 */

/** What the relay is doing (`OutboxRelay.stats().state`). */
export type OutboxRelayState = 'stopped' | 'active' | 'idle' | 'standby' | 'backoff';

/** What the indicator reads of the outbox's store: its backlog, from its table. */
export interface OutboxLagReader {
  lag(): Promise<{ pending: number; oldestPendingAgeMs: number | null; dead: number }>;
}

/** What the indicator reads of this instance's relay. */
export interface OutboxRelayStatsReader {
  stats(): { state: OutboxRelayState; published: number; failures: number; lastError: string | undefined };
}

/** The outbox's store (`OutboxLagReader`), `null` without an outbox. */
export const IGGY_HEALTH_OUTBOX_STORE = Symbol('IGGY_HEALTH_OUTBOX_STORE');
/** This instance's relay (`OutboxRelayStatsReader`), `null` without an outbox or with `relay: false`. */
export const IGGY_HEALTH_OUTBOX_RELAY = Symbol('IGGY_HEALTH_OUTBOX_RELAY');
