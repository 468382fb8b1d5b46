import { afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import fs from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { openFilePartitionStore } from '../../../../lib/broker/storage/file-partition-store.js';
import type { FsyncMode } from '../../../../lib/broker/storage/partition-store.js';
import { batch, fileHandlePrototype, TempDirs, walked } from './storage-test-kit.js';

const dirs = new TempDirs();
let fileHandle: FileHandle;

beforeAll(async () => {
  fileHandle = await fileHandlePrototype(dirs);
});

afterEach(async () => {
  jest.restoreAllMocks();
  await dirs.cleanup();
});

/** Appends `batches` small batches and counts fsyncs of file data during the appends and at close. */
async function countSyncs(
  fsync: FsyncMode,
  batches: number,
  pauseMs = 0,
): Promise<{ appending: number; closing: number }> {
  const store = await openFilePartitionStore(await dirs.make(), { fsync });
  const spy = jest.spyOn(fileHandle, 'datasync');
  for (let i = 0; i < batches; i++) await store.append(...walked(batch(5)));
  if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
  const appending = spy.mock.calls.length;
  await store.close();
  return { appending, closing: spy.mock.calls.length - appending };
}

describe('fsync modes', () => {
  it('always: the log fsynced before every append resolves; the index (rebuilt from the log by recovery) at close', async () => {
    expect(await countSyncs({ kind: 'always' }, 4)).toEqual({ appending: 4, closing: 2 });
  });

  it('always: appends waiting together share one write and one fsync (group commit)', async () => {
    const store = await openFilePartitionStore(await dirs.make(), { fsync: { kind: 'always' } });
    const syncs = jest.spyOn(fileHandle, 'datasync');
    const writes = jest.spyOn(fs, 'writevSync');
    const results = await Promise.all(Array.from({ length: 50 }, () => store.append(...walked(batch(1)))));
    expect(results.map((r) => r.firstOffset)).toEqual(Array.from({ length: 50 }, (_, i) => BigInt(i)));
    expect(syncs).toHaveBeenCalledTimes(1);
    expect(writes).toHaveBeenCalledTimes(1);
    await store.close();
  });

  it('interval: a timer fsyncs dirty files, not each append', async () => {
    const { appending } = await countSyncs({ kind: 'interval', ms: 20 }, 10, 120);
    expect(appending).toBeGreaterThanOrEqual(2);
    expect(appending).toBeLessThan(20);
  });

  it('never: no fsync on the append path, nor at close', async () => {
    expect(await countSyncs({ kind: 'never' }, 4, 30)).toEqual({ appending: 0, closing: 0 });
  });

  it('flush(true) fsyncs on demand, whatever the mode', async () => {
    const store = await openFilePartitionStore(await dirs.make(), { fsync: { kind: 'never' } });
    await store.append(...walked(batch(1)));
    const spy = jest.spyOn(fileHandle, 'datasync');
    await store.flush(false);
    expect(spy).not.toHaveBeenCalled();
    await store.flush(true);
    expect(spy).toHaveBeenCalledTimes(2);
    await store.close();
  });

  it('sealing a segment fsyncs it, even in never mode', async () => {
    const store = await openFilePartitionStore(await dirs.make(), {
      fsync: { kind: 'never' },
      segmentSizeBytes: 500,
    });
    const spy = jest.spyOn(fileHandle, 'datasync');
    await store.append(...walked(batch(5)));
    expect(spy).toHaveBeenCalledTimes(2);
    expect(store.stats().segmentsCount).toBe(2);
    await store.close();
  });
});
