import { describe, expect, it } from '@jest/globals';
import { DashboardModel } from '../../../lib/dashboard/dashboard-model.js';
import type {
  DashboardReading,
  GroupReading,
  StreamReading,
} from '../../../lib/dashboard/dashboard-reading.js';
import { RateMeter } from '../../../lib/dashboard/rate-meter.js';

const T0 = Date.parse('2026-12-01T10:00:00Z');
const at = (seconds: number): Date => new Date(T0 + seconds * 1000);

/** A stream `shop` with topics `domain` (offsets as given, 100 B per message) and an empty `dlq`. */
function shop(...domainOffsets: (number | null)[]): StreamReading {
  return {
    name: 'shop',
    topics: [
      { name: 'dlq', partitions: [{ id: 0, currentOffset: null, messages: 0n, sizeBytes: 0n }] },
      {
        name: 'domain',
        partitions: domainOffsets.map((offset, i) => ({
          id: i,
          currentOffset: offset === null ? null : BigInt(offset),
          messages: offset === null ? 0n : BigInt(offset + 1),
          sizeBytes: offset === null ? 0n : BigInt((offset + 1) * 100),
        })),
      },
    ],
  };
}

function billing(stored: (number | null)[], current: (number | null)[]): GroupReading {
  return {
    stream: 'shop',
    topic: 'domain',
    name: 'billing',
    members: [{ id: 2, partitions: [1, 0] }],
    partitions: stored.map((s, i) => {
      const c = current[i] ?? null;
      const lag = c === null ? 0 : s === null ? c + 1 : c - s;
      return {
        partition: i,
        currentOffset: c === null ? null : BigInt(c),
        storedOffset: s === null ? null : BigInt(s),
        lag: BigInt(lag),
      };
    }),
  };
}

function reading(parts: Partial<DashboardReading> = {}): DashboardReading {
  return {
    source: 'test',
    streams: [],
    groups: [],
    deadLetters: { status: 'unavailable', reason: 'not here' },
    outbox: { status: 'unavailable', reason: 'no outbox' },
    ...parts,
  };
}

describe('DashboardModel', () => {
  it('sums partitions into topics, topics into streams and everything into the totals', () => {
    const snapshot = new DashboardModel().snapshot(
      reading({ streams: [shop(9, null, 4)], groups: [billing([4, null, 4], [9, null, 4])] }),
      at(0),
    );
    const [stream] = snapshot.streams;
    expect(stream!.topics.map((t) => t.key)).toEqual(['shop/dlq', 'shop/domain']);
    const domain = stream!.topics[1]!;
    expect(domain).toMatchObject({ messages: 15, sizeBytes: 1500 });
    expect(domain.partitions.map((p) => [p.id, p.currentOffset, p.messages])).toEqual([
      [0, 9, 10],
      [1, null, 0],
      [2, 4, 5],
    ]);
    expect(stream).toMatchObject({ name: 'shop', messages: 15, sizeBytes: 1500 });
    expect(snapshot.totals).toEqual({
      streams: 1,
      topics: 2,
      partitions: 4,
      messages: 15,
      sizeBytes: 1500,
      messagesPerSecond: null,
      groups: 1,
      lag: 5,
      deadLetters: null,
      outboxPending: null,
    });
    expect(snapshot.groups[0]).toMatchObject({
      key: 'shop/domain/billing',
      lag: 5,
      members: [{ id: 2, partitions: [0, 1] }],
      run: null,
    });
    expect(snapshot.takenAt).toBe('2026-12-01T10:00:00.000Z');
    // The snapshot is plain JSON: no bigint survives.
    expect(JSON.parse(JSON.stringify(snapshot))).toEqual(snapshot);
  });

  it('measures messages/s per partition and offsets stored/s per group from successive readings', () => {
    const model = new DashboardModel();
    const first = model.snapshot(
      reading({ streams: [shop(9, null)], groups: [billing([4, null], [9, null])] }),
      at(0),
    );
    expect(first.streams[0]!.topics[1]!.messagesPerSecond).toBeNull();
    expect(first.groups[0]!.consumedPerSecond).toBeNull();

    // Two seconds later: 20 more messages on partition 0, 10 on partition 1 (its first); billing stored 16 more.
    const second = model.snapshot(
      reading({ streams: [shop(29, 9)], groups: [billing([20, null], [29, 9])] }),
      at(2),
    );
    const domain = second.streams[0]!.topics[1]!;
    expect(domain.partitions.map((p) => p.messagesPerSecond)).toEqual([10, 5]);
    expect(domain.messagesPerSecond).toBe(15);
    expect(second.streams[0]!.messagesPerSecond).toBe(15);
    expect(second.totals.messagesPerSecond).toBe(15);
    expect(second.groups[0]!.consumedPerSecond).toBe(8);
  });

  it('passes sections through, or says why they are missing, and counts them in the totals', () => {
    const failedAt = new Date('2026-12-01T09:59:00Z');
    const snapshot = new DashboardModel().snapshot(
      reading({
        deadLetters: [
          {
            group: 'billing',
            eventType: 'order.created',
            count: 3,
            lastError: { name: 'Error', message: 'card declined' },
            lastFailedAt: failedAt,
          },
          {
            group: 'audit',
            eventType: null,
            count: 1,
            lastError: { name: 'TypeError', message: 'x' },
            lastFailedAt: new Date('2026-12-01T09:00:00Z'),
          },
        ],
        outbox: { status: 'error', error: 'database down' },
      }),
      at(0),
    );
    expect(snapshot.deadLetters).toEqual({
      status: 'ok',
      data: [
        {
          key: 'billing/order.created',
          group: 'billing',
          eventType: 'order.created',
          count: 3,
          lastError: { name: 'Error', message: 'card declined' },
          lastFailedAt: failedAt.toISOString(),
        },
        expect.objectContaining({ key: 'audit/', eventType: null }),
      ],
    });
    expect(snapshot.outbox).toEqual({ status: 'error', error: 'database down' });
    expect(snapshot.totals.deadLetters).toBe(4);
    expect(snapshot.totals.outboxPending).toBeNull();

    const withOutbox = new DashboardModel().snapshot(
      reading({ outbox: { pending: 7, oldestPendingAgeMs: 1200, dead: 0, relay: null } }),
    );
    expect(withOutbox.outbox).toEqual({
      status: 'ok',
      data: { pending: 7, oldestPendingAgeMs: 1200, dead: 0, relay: null },
    });
    expect(withOutbox.totals.outboxPending).toBe(7);
  });
});

describe('RateMeter', () => {
  it('gives no rate until readings span half a second, then the rate over the last 5 s', () => {
    const meter = new RateMeter();
    expect(meter.observe('p', 0, 0)).toBeNull();
    expect(meter.observe('p', 10, 400)).toBeNull();
    expect(meter.observe('p', 10, 1000)).toBe(10);
    for (let s = 2; s <= 10; s++) meter.observe('p', 10 + (s - 1) * 100, s * 1000);
    // From 10 s on only the last 5 s count: 100 messages a second, not the slow start.
    expect(meter.observe('p', 1010, 11_000)).toBe(100);
  });

  it('starts over when a counter goes down (a purged topic) and forgets keys not seen since the last sweep', () => {
    const meter = new RateMeter();
    meter.observe('p', 500, 0);
    expect(meter.observe('p', 600, 1000)).toBe(100);
    expect(meter.observe('p', 3, 2000)).toBeNull();
    expect(meter.observe('p', 13, 3000)).toBe(10);
    meter.sweep();
    meter.sweep(); // 'p' was not observed in between: forgotten
    expect(meter.observe('p', 50, 4000)).toBeNull();
  });
});
