import type { EventMeta } from '../events/envelope-headers.js';
import { compileEventPattern } from '../handlers/event-pattern.js';
import { DlqHeader, type DeadLetter } from './dead-letter.js';

/** Which dead letters to select. Every field given must match. */
export interface DeadLetterFilter {
  /** `Class.method` of the failed handler. */
  handler?: string;
  group?: string;
  /** Type of the failed event: exact, `order.*` or `order.#`. */
  type?: string;
  tenantId?: string;
  /** Topic the failed message came from. */
  originTopic?: string;
  /** `pending` (default), `redriven`, `purged` or `all`. */
  status?: DeadLetter['status'] | 'all';
}

/** A compiled filter: header checks first (no payload decode), then the rest on the parsed dead letter. */
export interface DeadLetterMatcher {
  byHeaders(meta: EventMeta): boolean;
  byStatus(status: DeadLetter['status']): boolean;
  full(deadLetter: DeadLetter): boolean;
}

export function compileDeadLetterFilter(filter: DeadLetterFilter = {}): DeadLetterMatcher {
  const typeMatches = filter.type === undefined ? undefined : compileEventPattern(filter.type);
  const status = filter.status ?? 'pending';
  return {
    byHeaders: (meta) =>
      (filter.tenantId === undefined || meta.tenantId === filter.tenantId) &&
      (filter.group === undefined || meta.headers[DlqHeader.group] === filter.group) &&
      (filter.handler === undefined || meta.headers[DlqHeader.handler] === filter.handler) &&
      (typeMatches === undefined || typeMatches(meta.headers[DlqHeader.eventType] ?? '')),
    byStatus: (s) => status === 'all' || s === status,
    full: (d) =>
      (filter.handler === undefined || d.handler === filter.handler) &&
      (filter.originTopic === undefined || d.origin.topic === filter.originTopic),
  };
}
