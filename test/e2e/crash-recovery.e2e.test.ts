import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { cleanUp, eventually, SampleAppProcess, tempDir } from '../support/app-process.js';
import { ensureBuilt } from '../support/build-once.js';
import { appEnvIn, handled, order, readJournal, type JournalEntry } from './e2e-kit.js';

const TENANTS = ['acme', 'globex', 'initech', 'umbrella', 'hooli'];

describe('sample app killed mid-stream', () => {
  beforeAll(ensureBuilt, 180_000);
  afterAll(cleanUp);

  it('SIGKILL and restart on the same data dir: every order handled, none handled twice by a group (but for one window)', async () => {
    const dir = tempDir();
    const { journal, env } = appEnvIn(dir);
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
      // Across the crash: the sample's idempotency store is its own database, so what run 1 handled
      // (and recorded) is skipped by run 2, committed or not (at-least-once alone would handle run 1's
      // uncommitted tail again: up to a commit interval per partition). One window stays open: killed
      // after a handler finished (its journal line written) and before its id was recorded, that event
      // is handled again. Nothing but a few microtask hops and one SQLite write lie between the two, so
      // the kill rarely lands there; one such event per group is allowed (in theory there could be one
      // per partition in flight; two at once would need two handlers ending within that instant).
      const handledBefore = new Set(run1!.map((e) => e.eventId));
      const again = run2!.filter((e) => handledBefore.has(e.eventId));
      expect(again.length).toBeLessThanOrEqual(1);
    }
  }, 90_000);
});

function byPartition(entries: JournalEntry[]): Map<number, JournalEntry[]> {
  const lanes = new Map<number, JournalEntry[]>();
  for (const e of entries) lanes.set(e.partition, [...(lanes.get(e.partition) ?? []), e]);
  return lanes;
}

function duplicates(ids: string[]): string[] {
  const seen = new Set<string>();
  return ids.filter((id) => (seen.has(id) ? true : (seen.add(id), false)));
}

function isIncreasing(values: bigint[]): boolean {
  return values.every((v, i) => i === 0 || v > values[i - 1]!);
}
