import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  createMemoryConsumerOffsetStore,
  openFileConsumerOffsetStore,
  type ConsumerOffsetStore,
} from '../../../../lib/broker/storage/consumer-offset-store.js';
import { RecordingLogger, TempDirs } from './storage-test-kit.js';

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

describe('file consumer offset store', () => {
  it('writes 8-byte little-endian files where the real server keeps them, and reads them back', async () => {
    const dir = await dirs.make();
    const store = await openFileConsumerOffsetStore(dir);
    await store.set('consumer', 3, 0x0102030405n);
    await store.set('group', 9, 77n);
    expect(await readFile(join(dir, 'offsets', 'consumers', '3'))).toEqual(
      Buffer.from([0x05, 0x04, 0x03, 0x02, 0x01, 0, 0, 0]),
    );
    expect((await readFile(join(dir, 'offsets', 'groups', '9'))).readBigUInt64LE()).toBe(77n);
    const reopened = await openFileConsumerOffsetStore(dir);
    expect(reopened.list()).toEqual([
      { kind: 'consumer', id: 3, offset: 0x0102030405n },
      { kind: 'group', id: 9, offset: 77n },
    ]);
    await reopened.delete('group', 9);
    expect(await readdir(join(dir, 'offsets', 'groups'))).toEqual([]);
    expect((await openFileConsumerOffsetStore(dir)).get('group', 9)).toBeUndefined();
  });

  it('replaces a file by rename, so a crash mid-write leaves the old value', async () => {
    const dir = await dirs.make();
    const store = await openFileConsumerOffsetStore(dir);
    await store.set('consumer', 1, 5n);
    const path = join(dir, 'offsets', 'consumers', '1');
    const before = (await stat(path)).ino;
    await store.set('consumer', 1, 6n);
    expect((await stat(path)).ino).not.toBe(before); // a new file renamed over the old one, not an in-place write
    expect(await readdir(join(dir, 'offsets', 'consumers'))).toEqual(['1']);
    // A crash after writing the temporary file, before the rename: the old value stands, the leftover goes.
    await writeFile(join(dir, 'offsets', 'consumers', `1.tmp-99-1`), Buffer.alloc(3));
    const reopened = await openFileConsumerOffsetStore(dir);
    expect(reopened.get('consumer', 1)).toBe(6n);
    expect(await readdir(join(dir, 'offsets', 'consumers'))).toEqual(['1']);
  });

  it('writes concurrent sets of one key in order, the last value on disk', async () => {
    const dir = await dirs.make();
    const store = await openFileConsumerOffsetStore(dir);
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.set('consumer', 2, BigInt(i))));
    expect((await openFileConsumerOffsetStore(dir)).get('consumer', 2)).toBe(19n);
  });

  it('skips files that are not offsets, with a warning for a damaged one', async () => {
    const dir = await dirs.make();
    await mkdir(join(dir, 'offsets', 'groups'), { recursive: true });
    await writeFile(join(dir, 'offsets', 'groups', '4'), Buffer.alloc(5));
    await writeFile(join(dir, 'offsets', 'groups', 'notes.txt'), 'x');
    const logger = new RecordingLogger();
    const store = await openFileConsumerOffsetStore(dir, { logger });
    expect(store.list()).toEqual([]);
    expect(logger.lines).toEqual([
      expect.objectContaining({ level: 'warn', fields: expect.objectContaining({ bytes: 5 }) }),
    ]);
  });
});
