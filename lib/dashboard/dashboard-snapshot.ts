/*
 * What the dashboard page shows, as JSON (`GET <base>/snapshot` and every server-sent event): plain
 * numbers (exact up to 2^53, far above any count or size a partition reaches), rates in messages per
 * second over the last few seconds (null until two readings exist), keys that name each row.
 */

import type { Missing } from './dashboard-reading.js';

export interface PartitionView {
  id: number;
  currentOffset: number | null;
  messages: number;
  sizeBytes: number;
  messagesPerSecond: number | null;
}

export interface TopicView {
  /** `stream/topic` */
  key: string;
  name: string;
  messages: number;
  sizeBytes: number;
  messagesPerSecond: number | null;
  partitions: PartitionView[];
}

export interface StreamView {
  name: string;
  messages: number;
  sizeBytes: number;
  messagesPerSecond: number | null;
  topics: TopicView[];
}

export interface GroupPartitionView {
  partition: number;
  currentOffset: number | null;
  storedOffset: number | null;
  lag: number;
}

export interface GroupView {
  /** `stream/topic/group` */
  key: string;
  stream: string;
  topic: string;
  name: string;
  members: { id: number; partitions: number[] }[] | null;
  lag: number;
  /** Offsets the group stored per second, all partitions together. */
  consumedPerSecond: number | null;
  partitions: GroupPartitionView[];
  run: { state: string; handled: number; deadLettered: number; skipped: number } | null;
}

export interface DeadLetterView {
  /** `group/eventType` */
  key: string;
  group: string;
  eventType: string | null;
  count: number;
  lastError: { name: string; message: string };
  /** ISO-8601. */
  lastFailedAt: string;
}

export interface OutboxView {
  pending: number;
  oldestPendingAgeMs: number | null;
  dead: number;
  relay: { state: string; published: number; failures: number; lastError: string | null } | null;
}

/** A section the page shows, or why it cannot. */
export type Section<T> = { status: 'ok'; data: T } | Missing;

export interface DashboardTotals {
  streams: number;
  topics: number;
  partitions: number;
  messages: number;
  sizeBytes: number;
  messagesPerSecond: number | null;
  groups: number;
  lag: number;
  /** Pending dead letters; null when the section is missing. */
  deadLetters: number | null;
  /** Outbox rows waiting; null without an outbox. */
  outboxPending: number | null;
}

export interface DashboardSnapshot {
  /** ISO-8601 time of the reading. */
  takenAt: string;
  source: string;
  totals: DashboardTotals;
  streams: StreamView[];
  groups: GroupView[];
  deadLetters: Section<DeadLetterView[]>;
  outbox: Section<OutboxView>;
}
