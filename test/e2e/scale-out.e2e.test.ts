import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { cleanUp, eventually, SampleAppProcess, tempDir } from '../support/app-process.js';
import { ensureBuilt } from '../support/build-once.js';
import { handled, order, readJournal, type JournalEntry } from './e2e-kit.js';

const TENANTS = Array.from({ length: 16 }, (_, i) => `tenant-${i}`);

describe('two instances of the sample app in one consumer group', () => {
  beforeAll(ensureBuilt, 180_000);
  afterAll(cleanUp);

  it('split the partitions; when one stops, the other takes every partition over', async () => {
    const dir = tempDir();
    const journalA = join(dir, 'a.jsonl');
    const journalB = join(dir, 'b.jsonl');
    // A: embedded broker with a TCP listener; B: remote mode against A's broker.
    const a = await SampleAppProcess.start({
      SAMPLE_INSTANCE: 'A',
      SAMPLE_JOURNAL: journalA,
      IGGY_DATA_DIR: join(dir, 'iggy'),
      IGGY_TCP_PORT: '0',
      IGGY_HTTP_PORT: 'none',
      // B logs in over TCP with the remote defaults (iggy/iggy): A's root password is set to match.
      IGGY_ROOT_PASSWORD: 'iggy',
    });
    expect(a.info.tcp).toEqual(expect.any(Number));
    const b = await SampleAppProcess.start({
      SAMPLE_INSTANCE: 'B',
      SAMPLE_JOURNAL: journalB,
      IGGY_MODE: 'remote',
      IGGY_ADDRESSES: `127.0.0.1:${a.info.tcp}`,
    });
    expect(b.info.mode).toBe('remote');

    const place = async (app: SampleAppProcess, round: number): Promise<string[]> => {
      const ids = TENANTS.map((t) => `${t}-r${round}`);
      const replies = await Promise.all(ids.map((id, i) => app.post('/orders', order(TENANTS[i]!, id))));
      expect(replies.map((r) => r.status)).toEqual(ids.map(() => 201));
      return ids;
    };
    const billedBy = (): Map<string, Set<string>> => {
      const by = new Map<string, Set<string>>();
      for (const [name, file] of [
        ['A', journalA],
        ['B', journalB],
      ] as const) {
        for (const e of handled(readJournal(file), 'billing')) {
          by.set(e.orderId, (by.get(e.orderId) ?? new Set()).add(name));
        }
      }
      return by;
    };

    // Orders through both instances: every one billed, by A or by B, both getting a share.
    const round1 = [...(await place(a, 1)), ...(await place(b, 2))];
    await eventually('round 1 billed', () => round1.every((id) => billedBy().has(id)));
    const shareA = handled(readJournal(journalA), 'billing').length;
    const shareB = handled(readJournal(journalB), 'billing').length;
    expect(shareA).toBeGreaterThan(0);
    expect(shareB).toBeGreaterThan(0);
    expect(shareA + shareB).toBeGreaterThanOrEqual(round1.length);
    expect(partitions(readJournal(journalA))).not.toEqual(partitions(readJournal(journalB)));
    await eventually('round 1 notified', () => {
      const seen = new Set(
        [...readJournal(journalA), ...readJournal(journalB)].map((e) => `${e.group}/${e.orderId}`),
      );
      return round1.every((id) => seen.has(`notifications/${id}`));
    });

    // B stops gracefully (leaves its groups): A handles every partition.
    const exit = await b.stop('SIGTERM');
    expect(exit.signal === 'SIGTERM' || exit.code === 0).toBe(true);
    const round2 = await place(a, 3);
    await eventually('round 2 billed by A', () => {
      const by = billedBy();
      return round2.every((id) => by.get(id)?.has('A'));
    });
    const afterStop = handled(readJournal(journalA), 'billing').filter((e) => round2.includes(e.orderId));
    expect(new Set(afterStop.map((e) => e.partition))).toEqual(
      new Set(
        handled([...readJournal(journalA), ...readJournal(journalB)], 'billing').map((e) => e.partition),
      ),
    );
    expect(handled(readJournal(journalB), 'billing').some((e) => round2.includes(e.orderId))).toBe(false);
    await a.stop();
  }, 60_000);
});

function partitions(entries: JournalEntry[]): number[] {
  return [...new Set(handled(entries, 'billing').map((e) => e.partition))].sort((x, y) => x - y);
}
