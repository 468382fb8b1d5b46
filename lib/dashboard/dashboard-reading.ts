/*
 * What a dashboard source reads (the server's figures as it gives them, u64 values as bigints). The
 * model turns one reading into a `DashboardSnapshot`; sources only read, they never compute rates.
 */

export interface PartitionReading {
  id: number;
  /** Offset of the last message; null when the partition never held one. */
  currentOffset: bigint | null;
  messages: bigint;
  sizeBytes: bigint;
}

export interface TopicReading {
  name: string;
  partitions: PartitionReading[];
}

export interface StreamReading {
  name: string;
  topics: TopicReading[];
}

export interface GroupPartitionReading {
  partition: number;
  currentOffset: bigint | null;
  /** The group's stored offset (last consumed); null when it never stored one. */
  storedOffset: bigint | null;
  lag: bigint;
}

/** What this application knows of a group it runs (its handlers' counters). */
export interface GroupRunReading {
  state: string;
  handled: number;
  deadLettered: number;
  skipped: number;
}

export interface GroupReading {
  stream: string;
  topic: string;
  name: string;
  /** The group's members and their partitions; null when the source cannot see them (remote). */
  members: { id: number; partitions: number[] }[] | null;
  partitions: GroupPartitionReading[];
  /** Present when this application runs the group. */
  run?: GroupRunReading;
}

/** Pending dead letters of one group and event type. */
export interface DeadLetterReading {
  group: string;
  /** Null when the failed message's headers were unreadable. */
  eventType: string | null;
  count: number;
  /** The most recent failure of the pair. */
  lastError: { name: string; message: string };
  lastFailedAt: Date;
}

export interface OutboxReading {
  pending: number;
  oldestPendingAgeMs: number | null;
  dead: number;
  /** This instance's relay; null when it does not relay. */
  relay: { state: string; published: number; failures: number; lastError: string | null } | null;
}

/** A part of the page the source cannot give: not there (`unavailable`) or failed this time (`error`). */
export type Missing = { status: 'unavailable'; reason: string } | { status: 'error'; error: string };

export interface DashboardReading {
  /** What is read, for the page's header: `embedded broker`, `remote 10.0.0.5:8090`, ... */
  source: string;
  streams: StreamReading[];
  groups: GroupReading[];
  deadLetters: DeadLetterReading[] | Missing;
  outbox: OutboxReading | Missing;
}

/** Reads the figures the dashboard shows, once per refresh. */
export interface DashboardSource {
  read(): Promise<DashboardReading>;
}
