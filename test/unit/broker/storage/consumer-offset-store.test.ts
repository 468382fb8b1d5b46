import { afterEach, describe, expect, it, jest } from '@jest/globals';
import fc from 'fast-check';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  createMemoryConsumerOffsetStore,
  openFileConsumerOffsetStore,
  type ConsumerOffsetStore,
} from '../../../../lib/broker/storage/consumer-offset-store.js';
import { fileHandlePrototype, RecordingLogger, TempDirs } from './storage-test-kit.js';

const dirs = new TempDirs();
afterEach(async () => {
  jest.restoreAllMocks();
  await dirs.cleanup();
});

const kinds: [string, () => Promise<ConsumerOffsetStore>][] = [
  ['file', async () => openFileConsumerOffsetStore(await dirs.make())],
  ['memory', async () => createMemoryConsumerOffsetStore()],
];

describe.each(kinds)('%s consumer offset store', (_kind, open) => {
  it('keeps one offset per consumer id and per group id', async () => {
    const store = await open();
    expect(store.get('consumer', 1)).toBeUndefined();
    await store.set('consumer', 1, 10n);
    await store.set('group', 1, 20n);
    await store.set('consumer', 1, 11n);
    expect(store.get('consumer', 1)).toBe(11n);
    expect(store.get('group', 1)).toBe(20n);
    expect(store.list()).toEqual([
      { kind: 'consumer', id: 1, offset: 11n },
      { kind: 'group', id: 1, offset: 20n },
    ]);
    expect(await store.delete('consumer', 1)).toBe(true);
    expect(await store.delete('consumer', 1)).toBe(false);
    expect(store.list()).toEqual([{ kind: 'group', id: 1, offset: 20n }]);
    await store.clear();
    expect(store.list()).toEqual([]);
  });

  it('rejects ids and offsets out of range', async () => {
    const store = await open();
    await expect(store.set('consumer', -1, 0n)).rejects.toThrow(RangeError);
    await expect(store.set('consumer', 2 ** 32, 0n)).rejects.toThrow(RangeError);
    await expect(store.set('group', 1, 2n ** 64n)).rejects.toThrow(RangeError);
  });

  it('lets the last of concurrent writes win', async () => {
    const store = await open();
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.set('group', 7, BigInt(i))));
    expect(store.get('group', 7)).toBe(19n);
  });
});

describe('file consumer offset store (journal)', () => {
  const journalOf = (dir: string): string => join(dir, 'offsets', 'journal');
  const opened: ConsumerOffsetStore[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close().catch(() => undefined)));
  });

  async function openIn(dir: string, options: Parameters<typeof openFileConsumerOffsetStore>[1] = {}) {
    const store = await openFileConsumerOffsetStore(dir, options);
    opened.push(store);
    return store;
  }

  it('keeps sets and deletes across close and reopen, in one journal file per partition', async () => {
    const dir = await dirs.make();
    const store = await openIn(dir);
    await store.set('consumer', 3, 0x0102030405n);
    await store.set('group', 9, 77n);
    await store.set('group', 10, 5n);
    await store.delete('group', 10);
    await store.close();
    expect(await readdir(join(dir, 'offsets'))).toEqual(['journal']);
    const reopened = await openIn(dir);
    expect(reopened.list()).toEqual([
      { kind: 'consumer', id: 3, offset: 0x0102030405n },
      { kind: 'group', id: 9, offset: 77n },
    ]);
  });

  it('survives a process that never closed it: every acknowledged set is in the file', async () => {
    const dir = await dirs.make();
    const crashed = await openFileConsumerOffsetStore(dir, { fsync: { kind: 'never' } });
    for (let i = 0; i < 10; i++) await crashed.set('group', 1, BigInt(i));
    expect((await openIn(dir)).get('group', 1)).toBe(9n);
    await crashed.close();
  });

  it('appends one record per commit instead of replacing a file, and sets arriving together share one write', async () => {
    const dir = await dirs.make();
    const store = await openIn(dir);
    await store.set('consumer', 1, 5n);
    const before = await stat(journalOf(dir));
    await store.set('consumer', 1, 6n);
    const after = await stat(journalOf(dir));
    expect(after.ino).toBe(before.ino);
    expect(after.size).toBe(before.size + 20);
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.set('consumer', 2, BigInt(i))));
    expect((await stat(journalOf(dir))).size).toBe(after.size + 20); // only the last of one owner is written
    expect((await openIn(dir)).get('consumer', 2)).toBe(19n);
  });

  it('compacts the journal as it grows, keeping every stored offset', async () => {
    const dir = await dirs.make();
    const store = await openIn(dir, { fsync: { kind: 'never' } });
    for (let i = 0; i < 5000; i++) await store.set('group', i % 3, BigInt(i));
    expect((await stat(journalOf(dir))).size).toBeLessThan(20 * 5000);
    await store.set('consumer', 8, 1n);
    await store.close();
    const reopened = await openIn(dir);
    expect(reopened.list()).toHaveLength(4);
    expect(reopened.list()).toEqual(
      expect.arrayContaining([
        { kind: 'group', id: 0, offset: 4998n },
        { kind: 'group', id: 1, offset: 4999n },
        { kind: 'group', id: 2, offset: 4997n },
        { kind: 'consumer', id: 8, offset: 1n },
      ]),
    );
  });

  it('clear leaves an empty journal', async () => {
    const dir = await dirs.make();
    const store = await openIn(dir);
    await store.set('group', 1, 1n);
    await store.clear();
    await store.set('group', 2, 2n);
    expect((await openIn(dir)).list()).toEqual([{ kind: 'group', id: 2, offset: 2n }]);
  });

  it('cuts a torn last record (a crash mid-write), keeping the ones before, with a warning', async () => {
    const dir = await dirs.make();
    const store = await openIn(dir);
    await store.set('group', 1, 10n);
    await store.set('group', 1, 11n);
    await store.close();
    const whole = await readFile(journalOf(dir));
    await writeFile(journalOf(dir), whole.subarray(0, whole.length - 7));
    const logger = new RecordingLogger();
    const reopened = await openIn(dir, { logger });
    expect(reopened.get('group', 1)).toBe(10n); // the older offset: the consumer is redelivered, never skips
    expect(logger.lines).toEqual([
      expect.objectContaining({ level: 'warn', fields: expect.objectContaining({ bytesCut: 13 }) }),
    ]);
    expect((await stat(journalOf(dir))).size).toBe(whole.length - 20);
    await reopened.set('group', 1, 12n);
    expect((await openIn(dir)).get('group', 1)).toBe(12n);
  });

  it('opens whatever a crash left after the records it wrote: the offsets of a prefix of the changes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.tuple(fc.integer({ min: 0, max: 3 }), fc.option(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }))),
          {
            minLength: 1,
            maxLength: 30,
          },
        ),
        fc.nat(),
        fc.uint8Array({ maxLength: 50 }),
        async (changes, cutAt, garbage) => {
          const dir = await dirs.make();
          const store = await openFileConsumerOffsetStore(dir, { fsync: { kind: 'never' } });
          const states: string[] = [JSON.stringify([])];
          const state = new Map<number, bigint>();
          for (const [id, offset] of changes) {
            if (offset === null) await store.delete('group', id);
            else await store.set('group', id, offset);
            if (offset === null) state.delete(id);
            else state.set(id, offset);
            states.push(JSON.stringify([...state].sort(([a], [b]) => a - b).map(([k, v]) => [k, String(v)])));
          }
          await store.close();
          const whole = await readFile(journalOf(dir));
          const kept = 8 + (cutAt % (whole.length - 7));
          await writeFile(journalOf(dir), Buffer.concat([whole.subarray(0, kept), garbage]));
          const reopened = await openFileConsumerOffsetStore(dir, { fsync: { kind: 'never' } });
          const seen = reopened
            .list()
            .sort((a, b) => a.id - b.id)
            .map((e) => [e.id, String(e.offset)]);
          await reopened.close();
          expect(states).toContain(JSON.stringify(seen));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('refuses a file that is not a journal, naming it', async () => {
    const dir = await dirs.make();
    await mkdir(join(dir, 'offsets'), { recursive: true });
    await writeFile(journalOf(dir), 'not a journal at all');
    await expect(openFileConsumerOffsetStore(dir)).rejects.toMatchObject({
      kind: 'Corrupt',
      file: journalOf(dir),
    });
  });

  it('fsyncs before a set resolves with fsync always, never with never', async () => {
    const proto = await fileHandlePrototype(dirs);
    const always = await openIn(await dirs.make(), { fsync: { kind: 'always' } });
    const syncs = jest.spyOn(proto, 'datasync');
    await Promise.all([always.set('group', 1, 1n), always.set('group', 2, 2n)]);
    expect(syncs).toHaveBeenCalledTimes(1);
    const never = await openIn(await dirs.make(), { fsync: { kind: 'never' } });
    syncs.mockClear();
    await never.set('group', 1, 1n);
    await never.close();
    expect(syncs).not.toHaveBeenCalled();
  });

  it('reads offsets a directory holds in the old layout (8-byte file per id), then keeps them in the journal', async () => {
    const dir = await dirs.make();
    const legacy = (kind: string, name: string): string => join(dir, 'offsets', kind, name);
    await mkdir(join(dir, 'offsets', 'consumers'), { recursive: true });
    await mkdir(join(dir, 'offsets', 'groups'), { recursive: true });
    await writeFile(legacy('consumers', '3'), Buffer.from([0x05, 0x04, 0x03, 0x02, 0x01, 0, 0, 0]));
    const group = Buffer.alloc(8);
    group.writeBigUInt64LE(77n);
    await writeFile(legacy('groups', '9'), group);
    await writeFile(legacy('groups', '4'), Buffer.alloc(5)); // damaged: skipped with a warning
    await writeFile(legacy('groups', '9.tmp-99-1'), Buffer.alloc(3)); // an interrupted write
    const logger = new RecordingLogger();
    const store = await openIn(dir, { logger });
    const expected = [
      { kind: 'consumer', id: 3, offset: 0x0102030405n },
      { kind: 'group', id: 9, offset: 77n },
    ];
    expect(store.list()).toEqual(expected);
    expect(logger.lines).toEqual([
      expect.objectContaining({ level: 'warn', fields: expect.objectContaining({ bytes: 5 }) }),
    ]);
    expect(await readdir(join(dir, 'offsets'))).toEqual(['journal']);
    await store.close();
    expect((await openIn(dir)).list()).toEqual(expected);
  });

  it('leaves files it does not know in the old directories', async () => {
    const dir = await dirs.make();
    await mkdir(join(dir, 'offsets', 'groups'), { recursive: true });
    await writeFile(join(dir, 'offsets', 'groups', 'notes.txt'), 'x');
    const store = await openIn(dir);
    expect(store.list()).toEqual([]);
    expect(await readdir(join(dir, 'offsets', 'groups'))).toEqual(['notes.txt']);
  });
});
