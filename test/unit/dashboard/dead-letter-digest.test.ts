import { describe, expect, it } from '@jest/globals';
import type { DeadLetter } from '../../../lib/dlq/dead-letter.js';
import { summarize } from '../../../lib/dashboard/nest/dead-letter-digest.js';

function deadLetter(
  group: string,
  eventType: string | undefined,
  message: string,
  failedAt: string,
): DeadLetter {
  return {
    group,
    eventType,
    error: { name: 'Error', message, nonRetryable: false },
    failedAt: new Date(failedAt),
  } as DeadLetter;
}

describe('summarize (dead letters per group and type)', () => {
  it('counts each (group, event type) and keeps its latest error', () => {
    const rows = summarize([
      deadLetter('billing', 'order.created', 'first', '2026-12-01T10:00:00Z'),
      deadLetter('billing', 'order.created', 'latest', '2026-12-01T10:05:00Z'),
      deadLetter('billing', 'order.created', 'middle', '2026-12-01T10:02:00Z'),
      deadLetter('notifications', 'order.created', 'smtp down', '2026-12-01T10:01:00Z'),
      deadLetter('billing', undefined, 'unreadable headers', '2026-12-01T10:03:00Z'),
    ]);
    expect(rows).toEqual([
      {
        group: 'billing',
        eventType: 'order.created',
        count: 3,
        lastError: { name: 'Error', message: 'latest' },
        lastFailedAt: new Date('2026-12-01T10:05:00Z'),
      },
      expect.objectContaining({
        group: 'notifications',
        count: 1,
        lastError: { name: 'Error', message: 'smtp down' },
      }),
      expect.objectContaining({ group: 'billing', eventType: null, count: 1 }),
    ]);
  });
});
