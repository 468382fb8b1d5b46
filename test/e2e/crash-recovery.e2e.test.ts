import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { cleanUp, eventually, SampleAppProcess, tempDir } from '../support/app-process.js';
import { ensureBuilt } from '../support/build-once.js';
import { handled, order, readJournal, type JournalEntry } from './e2e-kit.js';

const TENANTS = ['acme', 'globex', 'initech', 'umbrella', 'hooli'];
/** Offsets are committed at least every 20 handled messages of a partition (ConsumerGroupManager). */
const COMMIT_EVERY = 20;

describe('sample app killed mid-stream', () => {
  beforeAll(ensureBuilt, 180_000);
  afterAll(cleanUp);

  it('SIGKILL and restart on the same data dir: every order handled, duplicates only from the uncommitted tail', async () => {
    const dir = tempDir();
    const journal = join(dir, 'journal.jsonl');
    const env = {
      IGGY_DATA_DIR: join(dir, 'iggy'),
      IGGY_TCP_PORT: 'none',
      IGGY_HTTP_PORT: 'none',
      SAMPLE_JOURNAL: journal,
    };
    const acked: string[] = [];
    const post = async (app: SampleAppProcess, tenant: string, i: number): Promise<boolean> => {
      const id = `${tenant}-${String(i).padStart(2, '0')}`;
      try {
        const reply = await app.post('/orders', order(tenant, id, { processingMs: 15 }));
        if (reply.status === 201) acked.push(id);
        return reply.status === 201;
      } catch {
        return false; // the process died under the request: it may or may not have been published
      }
    };

    // Run 1: post until the process is killed; the kill lands while billing is behind.
    const first = await SampleAppProcess.start({ ...env, SAMPLE_INSTANCE: 'first' });
    const posting = Promise.all(
      TENANTS.map(async (tenant) => {
        for (let i = 0; i < 20; i++) if (!(await post(first, tenant, i))) return i;
        return 20;
      }),
    );
    await eventually(
      'billing under way',
      () => handled(readJournal(journal), 'billing').length >= 15,
      20_000,
      5,
    );
    await first.stop('SIGKILL');
    const stoppedAt = await posting;
    expect(acked.length).toBeGreaterThan(15);

    // Run 2: same data dir; the rest of the orders.
    const second = await SampleAppProcess.start({ ...env, SAMPLE_INSTANCE: 'second' });
    await Promise.all(
      TENANTS.map(async (tenant, t) => {
        for (let i = stoppedAt[t]! + 1; i < 25; i++) expect(await post(second, tenant, i)).toBe(true);
      }),
    );
    await eventually(
      'every acknowledged order handled by both groups',
      () => {
        const entries = readJournal(journal);
        return ['billing', 'notifications'].every((group) => {
          const seen = new Set(handled(entries, group).map((e) => e.orderId));
          return acked.every((id) => seen.has(id));
        });
      },
      30_000,
    );
    await eventually('every invoice notified', () => {
      const seen = new Set(
        handled(readJournal(journal), 'notifications', 'invoice.issued').map((e) => e.orderId),
      );
      return acked.every((id) => seen.has(id));
    });
    await second.stop();

    const entries = readJournal(journal).filter((e) => e.phase === 'handled');
    const runs = [...new Set(entries.map((e) => e.run))];
    expect(runs).toHaveLength(2);
    for (const group of ['billing', 'notifications']) {
      const [run1, run2] = runs.map((run) => entries.filter((e) => e.run === run && e.group === group));
      // Within one run: no event handled twice (idempotency guard), each partition in offset order.
      for (const run of [run1!, run2!]) {
        expect(duplicates(run.map((e) => e.eventId))).toEqual([]);
        for (const lane of byPartition(run).values())
          expect(isIncreasing(lane.map((e) => BigInt(e.offset)))).toBe(true);
      }
      // Across the crash (at-least-once): what run 2 handled again (same partition and offset) is, per
      // partition, the tail of run 1 past its last committed offset; never more than a commit interval.
      const again = new Set(run2!.map(position));
      for (const lane of byPartition(run1!).values()) {
        const redelivered = lane.map((e) => again.has(position(e)));
        const firstAgain = redelivered.indexOf(true);
        if (firstAgain === -1) continue;
        expect(redelivered.slice(firstAgain).every(Boolean)).toBe(true);
        expect(lane.length - firstAgain).toBeLessThanOrEqual(COMMIT_EVERY);
      }
    }
  }, 90_000);
});

function byPartition(entries: JournalEntry[]): Map<number, JournalEntry[]> {
  const lanes = new Map<number, JournalEntry[]>();
  for (const e of entries) lanes.set(e.partition, [...(lanes.get(e.partition) ?? []), e]);
  return lanes;
}

function position(e: JournalEntry): string {
  return `${e.partition}/${e.offset}`;
}

function duplicates(ids: string[]): string[] {
  const seen = new Set<string>();
  return ids.filter((id) => (seen.has(id) ? true : (seen.add(id), false)));
}

function isIncreasing(values: bigint[]): boolean {
  return values.every((v, i) => i === 0 || v > values[i - 1]!);
}
