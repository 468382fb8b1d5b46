import { afterEach, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { appendFile, readdir, readFile, stat, truncate, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  FilePartitionStore,
  openFilePartitionStore,
} from '../../../../lib/broker/storage/file-partition-store.js';
import type { FilePartitionStoreOptions } from '../../../../lib/broker/storage/file-partition-store.js';
import { StorageError } from '../../../../lib/broker/storage/storage-error.js';
import { MessageLayout } from '../../../../lib/protocol/messages/message-layout.js';
import {
  badChecksumAt,
  batch,
  decoded,
  payloads,
  RecordingLogger,
  TempDirs,
  walked,
} from './storage-test-kit.js';

const dirs = new TempDirs();
const opened: FilePartitionStore[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((store) => store.close().catch(() => undefined)));
  await dirs.cleanup();
});

const SEGMENT = 2000; // two 10-message batches (1640 bytes each) per segment
const seg = (start: number, kind: 'log' | 'index'): string => `${String(start).padStart(20, '0')}.${kind}`;

async function open(dir: string, options: FilePartitionStoreOptions = {}): Promise<FilePartitionStore> {
  const store = await openFilePartitionStore(dir, {
    segmentSizeBytes: SEGMENT,
    fsync: { kind: 'never' },
    ...options,
  });
  opened.push(store);
  return store;
}

/** A directory holding `batches` batches of 10 messages, closed. */
async function filled(batches: number): Promise<string> {
  const dir = await dirs.make();
  const store = await open(dir);
  for (let b = 0; b < batches; b++) await store.append(...walked(batch(10, `b${b}`)));
  await store.close();
  return dir;
}

async function expectAll(store: FilePartitionStore, count: number): Promise<void> {
  const all = await store.readFromOffset(0n, 10_000);
  expect(all.count).toBe(count);
  expect(decoded(all).map((m) => m.offset)).toEqual(Array.from({ length: count }, (_, i) => BigInt(i)));
  expect(badChecksumAt(all)).toBe(-1);
}

describe('partition recovery', () => {
  it('keeps everything across close and reopen, in the real server layout', async () => {
    const dir = await filled(5);
    expect((await readdir(dir)).sort()).toEqual(
      [
        seg(0, 'index'),
        seg(0, 'log'),
        seg(20, 'index'),
        seg(20, 'log'),
        seg(40, 'index'),
        seg(40, 'log'),
      ].sort(),
    );
    expect((await stat(join(dir, seg(0, 'index')))).size).toBe(20 * 16);
    const index = await readFile(join(dir, seg(20, 'index')));
    expect(index.readUInt32LE(0)).toBe(0); // relative offset
    expect(index.readUInt32LE(4)).toBe(164); // end position of the first message
    expect(index.readUInt32LE(16 * 19 + 4)).toBe(3280);
    const store = await open(dir);
    expect(store.recovery.repairs).toEqual([]);
    expect(store.stats()).toMatchObject({ currentOffset: 49n, messagesCount: 50n, segmentsCount: 3 });
    await expectAll(store, 50);
    expect((await store.append(...walked(batch(1)))).firstOffset).toBe(50n);
  });

  it('cuts a torn tail (garbage, a half message) and continues at the right offset', async () => {
    const dir = await filled(5);
    const log = join(dir, seg(40, 'log'));
    const sizeBefore = (await stat(log)).size;
    const half = batch(1, 'torn').subarray(0, 100);
    await appendFile(log, Buffer.concat([half, Buffer.from('garbage garbage garbage')]));
    const logger = new RecordingLogger();
    const store = await open(dir, { logger });
    expect((await stat(log)).size).toBe(sizeBefore);
    expect(store.recovery.repairs).toEqual([
      expect.objectContaining({
        kind: 'truncated-tail',
        file: log,
        bytesCut: 123,
        firstCutOffset: 50n,
        lastIndexedCutOffset: null,
      }),
    ]);
    expect(logger.lines).toEqual([
      expect.objectContaining({
        level: 'warn',
        fields: expect.objectContaining({ bytesCut: 123, firstCutOffset: 50n }),
      }),
    ]);
    await expectAll(store, 50);
    expect((await store.append(...walked(batch(2, 'next')))).firstOffset).toBe(50n);
    expect(payloads(await store.readFromOffset(49n, 5))).toEqual(['b4-9', 'next-0', 'next-1']);
  });

  it('cuts the tail from the first message with a bad checksum, log and index alike', async () => {
    const dir = await filled(5);
    const log = join(dir, seg(40, 'log'));
    const bytes = await readFile(log);
    bytes[164 * 4 + 70] ^= 0xff; // a payload byte of offset 44
    await writeFile(log, bytes);
    const store = await open(dir);
    expect(store.recovery.repairs).toEqual([
      expect.objectContaining({
        kind: 'truncated-tail',
        firstCutOffset: 44n,
        lastIndexedCutOffset: 49n,
        bytesCut: 164 * 6,
        reason: 'checksum mismatch',
      }),
      expect.objectContaining({ kind: 'rebuilt-index', entries: 4 }),
    ]);
    expect((await stat(join(dir, seg(40, 'index')))).size).toBe(4 * 16);
    await expectAll(store, 44);
  });

  it('loses no acknowledged message when the process dies without closing (fsync never)', async () => {
    const dir = await dirs.make();
    const crashed = await open(dir);
    for (let b = 0; b < 5; b++) await crashed.append(...walked(batch(10, `b${b}`)));
    const reopened = await open(dir); // the first store is never closed, as after a crash
    expect(reopened.recovery.repairs).toEqual([]);
    await expectAll(reopened, 50);
  });

  it('survives any garbage after the last message and any damage to the last index', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 1, maxLength: 600 }),
        fc.nat({ max: 10 * 16 + 8 }),
        async (garbage, indexLength) => {
          const dir = await filled(5);
          await appendFile(join(dir, seg(40, 'log')), garbage);
          await truncate(join(dir, seg(40, 'index')), indexLength);
          const store = await open(dir);
          await expectAll(store, 50);
          expect((await store.append(...walked(batch(1)))).firstOffset).toBe(50n);
          await store.close();
          await dirs.cleanup();
        },
      ),
      { numRuns: 25 },
    );
  });

  it('cuts a zero-filled tail (a file extended but never written)', async () => {
    const dir = await filled(5);
    await appendFile(join(dir, seg(40, 'log')), Buffer.alloc(4096));
    const store = await open(dir);
    expect(store.recovery.repairs).toEqual([
      expect.objectContaining({ kind: 'truncated-tail', bytesCut: 4096, firstCutOffset: 50n }),
    ]);
    await expectAll(store, 50);
  });

  it('keeps timestamps monotonic across a restart with a clock that went back', async () => {
    const dir = await dirs.make();
    const first = await open(dir, { clock: () => 5_000_000n });
    await first.append(...walked(batch(1)));
    await first.close();
    const second = await open(dir, { clock: () => 1_000n });
    expect((await second.append(...walked(batch(1)))).timestamp).toBe(5_000_000n);
  });

  it('rebuilds a missing index', async () => {
    const dir = await filled(5);
    const original = await readFile(join(dir, seg(20, 'index')));
    await unlink(join(dir, seg(20, 'index')));
    const store = await open(dir);
    expect(store.recovery.repairs).toEqual([
      expect.objectContaining({ kind: 'rebuilt-index', reason: 'index missing', entries: 20 }),
    ]);
    expect(await readFile(join(dir, seg(20, 'index')))).toEqual(original);
    await expectAll(store, 50);
  });

  it('rebuilds a short or torn index, in a sealed and in the last segment', async () => {
    const dir = await filled(5);
    await truncate(join(dir, seg(0, 'index')), 16 * 7 + 5);
    await truncate(join(dir, seg(40, 'index')), 16 * 3);
    const store = await open(dir);
    expect(store.recovery.repairs).toEqual([
      expect.objectContaining({ kind: 'rebuilt-index', file: join(dir, seg(0, 'index')), entries: 20 }),
      expect.objectContaining({ kind: 'rebuilt-index', file: join(dir, seg(40, 'index')), entries: 10 }),
    ]);
    expect((await stat(join(dir, seg(0, 'index')))).size).toBe(20 * 16);
    await expectAll(store, 50);
    expect((await store.append(...walked(batch(1)))).firstOffset).toBe(50n);
  });

  it('drops index entries past the end of the last log', async () => {
    const dir = await filled(5);
    await truncate(join(dir, seg(40, 'log')), 164 * 7);
    const store = await open(dir);
    expect(store.recovery.repairs).toEqual([
      expect.objectContaining({
        kind: 'truncated-tail',
        bytesCut: 0,
        firstCutOffset: 47n,
        lastIndexedCutOffset: 49n,
      }),
      expect.objectContaining({ kind: 'rebuilt-index', entries: 7 }),
    ]);
    await expectAll(store, 47);
  });

  it('removes an index without its log', async () => {
    const dir = await filled(1);
    await writeFile(join(dir, seg(500, 'index')), Buffer.alloc(32));
    const store = await open(dir);
    expect(store.recovery.repairs).toEqual([
      { kind: 'removed-orphan-index', file: join(dir, seg(500, 'index')) },
    ]);
    expect(await readdir(dir)).not.toContain(seg(500, 'index'));
    await expectAll(store, 10);
  });

  it('refuses a sealed segment whose log lost messages its index lists, naming file and offset', async () => {
    const dir = await filled(5);
    await truncate(join(dir, seg(20, 'log')), 164 * 12 + 50);
    const error = await open(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect(error).toMatchObject({
      kind: 'Corrupt',
      file: join(dir, seg(20, 'log')),
      offset: 32n,
      position: 164 * 12,
    });
  });

  it('finds a flipped byte inside a sealed segment when asked to verify everything', async () => {
    const dir = await filled(5);
    const log = join(dir, seg(0, 'log'));
    const bytes = await readFile(log);
    bytes[164 * 3 + 100] ^= 0x01;
    await writeFile(log, bytes);
    // By default only the index/log consistency of a sealed segment is checked (no data read).
    await (await open(dir)).close();
    const error = await open(dir, { verifyAllChecksums: true }).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'Corrupt', file: log, offset: 3n, position: 164 * 3 });
    expect((error as Error).message).toContain('checksum mismatch');
  });

  it('refuses to serve a damaged message of a sealed segment (reads verify checksums by default)', async () => {
    const dir = await filled(5);
    const log = join(dir, seg(0, 'log'));
    const bytes = await readFile(log);
    bytes[164 * 2 + 100] ^= 0x01;
    await writeFile(log, bytes);
    const unchecked = await open(dir, { verifyChecksumsOnRead: false });
    expect((await unchecked.readFromOffset(2n, 1)).count).toBe(1); // sealed segments are not re-read at open
    await unchecked.close();
    const checking = await open(dir);
    expect((await checking.readFromOffset(0n, 2)).count).toBe(2);
    await expect(checking.readFromOffset(0n, 5)).rejects.toMatchObject({ kind: 'Corrupt', offset: 2n });
    await expect(checking.readFromOffset(2n, 1)).rejects.toMatchObject({ kind: 'Corrupt', offset: 2n });
    expect(payloads(await checking.readFromOffset(3n, 7))).toHaveLength(7);
  });

  it('refuses to serve messages whose lengths no longer match the index, even without checksums', async () => {
    const dir = await filled(5);
    const log = join(dir, seg(0, 'log'));
    const bytes = await readFile(log);
    bytes.writeUInt32LE(10_000, 164 * 2 + MessageLayout.payloadLength);
    await writeFile(log, bytes);
    const store = await open(dir, { verifyChecksumsOnRead: false });
    expect((await store.readFromOffset(0n, 2)).count).toBe(2);
    const error = await store.readFromOffset(0n, 5).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'Corrupt', offset: 0n });
    expect((error as Error).message).toContain('message 2 of 5 at byte 328');
  });

  it('checks a sealed segment once per open: bytes already checked are served without hashing them again', async () => {
    const dir = await filled(5);
    const log = join(dir, seg(0, 'log'));
    const store = await open(dir);
    expect(payloads(await store.readFromOffset(0n, 10))).toHaveLength(10);
    const bytes = await readFile(log);
    bytes[164 * 2 + 100] ^= 0x01;
    await writeFile(log, bytes);
    // Checked by the first read: not hashed again (the damage came later, while open).
    expect((await store.readFromOffset(2n, 1)).count).toBe(1);
    await store.close();
    const reopened = await open(dir);
    await expect(reopened.readFromOffset(2n, 1)).rejects.toMatchObject({ kind: 'Corrupt', offset: 2n });
  });

  it('opens a directory whose last log is empty (a rollover was just made)', async () => {
    const dir = await filled(4);
    expect(await readdir(dir)).toContain(seg(40, 'log'));
    const store = await open(dir);
    expect(store.stats()).toMatchObject({ currentOffset: 39n, segmentsCount: 3 });
    expect((await store.append(...walked(batch(1)))).firstOffset).toBe(40n);
  });
});
