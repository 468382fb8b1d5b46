import type {
  DashboardReading,
  DeadLetterReading,
  GroupReading,
  Missing,
  OutboxReading,
  StreamReading,
} from './dashboard-reading.js';
import type {
  DashboardSnapshot,
  DashboardTotals,
  DeadLetterView,
  GroupView,
  OutboxView,
  Section,
  StreamView,
  TopicView,
} from './dashboard-snapshot.js';
import { RateMeter } from './rate-meter.js';

/**
 * Turns readings into snapshots: sorts, sums topics and streams, and measures messages/s per partition
 * (from its current offset) and offsets stored/s per group across the readings it was given. One model
 * per source: its rates remember that source's earlier readings.
 */
export class DashboardModel {
  private readonly rates = new RateMeter();

  snapshot(reading: DashboardReading, at: Date = new Date()): DashboardSnapshot {
    const now = at.getTime();
    const streams = reading.streams.map((s) => this.stream(s, now)).sort(byName);
    const groups = reading.groups.map((g) => this.group(g, now)).sort((a, b) => a.key.localeCompare(b.key));
    this.rates.sweep();
    const deadLetters = section(reading.deadLetters, deadLetterViews);
    const outbox = section(reading.outbox, outboxView);
    return {
      takenAt: at.toISOString(),
      source: reading.source,
      totals: totalsOf(streams, groups, deadLetters, outbox),
      streams,
      groups,
      deadLetters,
      outbox,
    };
  }

  private stream(reading: StreamReading, now: number): StreamView {
    const topics = reading.topics
      .map((t): TopicView => {
        const key = `${reading.name}/${t.name}`;
        const partitions = t.partitions
          .map((p) => ({
            id: p.id,
            currentOffset: p.currentOffset === null ? null : Number(p.currentOffset),
            messages: Number(p.messages),
            sizeBytes: Number(p.sizeBytes),
            // Messages ever appended: offsets are dense from 0, whatever retention removed since.
            messagesPerSecond: this.rates.observe(
              `p:${key}/${p.id}`,
              p.currentOffset === null ? 0 : Number(p.currentOffset) + 1,
              now,
            ),
          }))
          .sort((a, b) => a.id - b.id);
        return { key, name: t.name, ...sums(partitions), partitions };
      })
      .sort(byName);
    return { name: reading.name, ...sums(topics), topics };
  }

  private group(reading: GroupReading, now: number): GroupView {
    const key = `${reading.stream}/${reading.topic}/${reading.name}`;
    const partitions = reading.partitions
      .map((p) => ({
        partition: p.partition,
        currentOffset: p.currentOffset === null ? null : Number(p.currentOffset),
        storedOffset: p.storedOffset === null ? null : Number(p.storedOffset),
        lag: Number(p.lag),
      }))
      .sort((a, b) => a.partition - b.partition);
    const consumed = partitions.reduce((n, p) => n + (p.storedOffset === null ? 0 : p.storedOffset + 1), 0);
    return {
      key,
      stream: reading.stream,
      topic: reading.topic,
      name: reading.name,
      members:
        reading.members
          ?.map((m) => ({ id: m.id, partitions: [...m.partitions].sort((a, b) => a - b) }))
          .sort((a, b) => a.id - b.id) ?? null,
      lag: partitions.reduce((n, p) => n + p.lag, 0),
      consumedPerSecond: this.rates.observe(`g:${key}`, consumed, now),
      partitions,
      run: reading.run ? { ...reading.run } : null,
    };
  }
}

function byName<T extends { name: string }>(a: T, b: T): number {
  return a.name.localeCompare(b.name);
}

/** Messages, bytes and rate of the rows together (the rate of those measured; null while none is). */
function sums(rows: { messages: number; sizeBytes: number; messagesPerSecond: number | null }[]) {
  let messages = 0;
  let sizeBytes = 0;
  let messagesPerSecond: number | null = rows.length === 0 ? 0 : null;
  for (const row of rows) {
    messages += row.messages;
    sizeBytes += row.sizeBytes;
    if (row.messagesPerSecond !== null) messagesPerSecond = (messagesPerSecond ?? 0) + row.messagesPerSecond;
  }
  return { messages, sizeBytes, messagesPerSecond };
}

function section<R, V>(reading: R | Missing, view: (r: R) => V): Section<V> {
  if (isMissing(reading)) return reading;
  return { status: 'ok', data: view(reading) };
}

function isMissing(value: unknown): value is Missing {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const status = (value as { status?: unknown }).status;
  return status === 'unavailable' || status === 'error';
}

function deadLetterViews(rows: DeadLetterReading[]): DeadLetterView[] {
  return rows
    .map((r) => ({
      key: `${r.group}/${r.eventType ?? ''}`,
      group: r.group,
      eventType: r.eventType,
      count: r.count,
      lastError: { name: r.lastError.name, message: r.lastError.message },
      lastFailedAt: r.lastFailedAt.toISOString(),
    }))
    .sort((a, b) => b.lastFailedAt.localeCompare(a.lastFailedAt) || a.key.localeCompare(b.key));
}

function outboxView(reading: OutboxReading): OutboxView {
  return { ...reading, relay: reading.relay ? { ...reading.relay } : null };
}

function totalsOf(
  streams: StreamView[],
  groups: GroupView[],
  deadLetters: Section<DeadLetterView[]>,
  outbox: Section<OutboxView>,
): DashboardTotals {
  const topics = streams.flatMap((s) => s.topics);
  return {
    streams: streams.length,
    topics: topics.length,
    partitions: topics.reduce((n, t) => n + t.partitions.length, 0),
    ...sums(streams),
    groups: groups.length,
    lag: groups.reduce((n, g) => n + g.lag, 0),
    deadLetters: deadLetters.status === 'ok' ? deadLetters.data.reduce((n, d) => n + d.count, 0) : null,
    outboxPending: outbox.status === 'ok' ? outbox.data.pending : null,
  };
}
