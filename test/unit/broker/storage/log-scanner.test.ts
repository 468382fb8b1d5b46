import { afterEach, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { open as openFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openFilePartitionStore } from '../../../../lib/broker/storage/file-partition-store.js';
import { walkLog, type WalkResult } from '../../../../lib/broker/storage/log-scanner.js';
import { encodeMessages } from '../../../../lib/protocol/messages/message-batch.js';
import { TempDirs, walked } from './storage-test-kit.js';

const dirs = new TempDirs();
afterEach(() => dirs.cleanup());

const START = { startOffset: 0n, count: 0, position: 0, timestamp: 0n };

/** A log written by the store: messages of the given payload sizes, offsets and timestamps stamped. */
async function logOf(sizes: number[]): Promise<Buffer> {
  const dir = await dirs.make();
  const store = await openFilePartitionStore(dir, { fsync: { kind: 'never' } });
  const messages = sizes.map((size, i) => ({ payload: Buffer.alloc(size, i % 251), originTimestamp: 1n }));
  await store.append(...walked(encodeMessages(messages, 1n)));
  await store.close();
  return readFile(join(dir, `${'0'.padStart(20, '0')}.log`));
}

async function walk(bytes: Buffer, windowBytes?: number, size = bytes.length): Promise<WalkResult> {
  const path = join(await dirs.make(), 'walked.log');
  await writeFile(path, bytes);
  const file = await openFile(path, 'r');
  try {
    return await walkLog(file, size, START, windowBytes);
  } finally {
    await file.close();
  }
}

describe('walkLog', () => {
  it('accepts every message of an intact log, those longer than the window included', async () => {
    const sizes = [10, 5000, 1, 300, 12_000, 7];
    const log = await logOf(sizes);
    const result = await walk(log, 1024);
    expect(result.count).toBe(sizes.length);
    expect(result.end).toBe(log.length);
    expect(result.stop).toBeNull();
    expect(result.entries.length).toBe(16 * sizes.length);
  });

  it('finds the same messages and stops at the same place and for the same reason whatever its window', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 3000 }), { minLength: 1, maxLength: 40 }),
        fc.oneof(
          fc.constant({ kind: 'none' as const }),
          fc.record({
            kind: fc.constant('flip' as const),
            at: fc.nat(),
            bit: fc.integer({ min: 0, max: 7 }),
          }),
          fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
          fc.record({
            kind: fc.constant('garbage' as const),
            bytes: fc.uint8Array({ minLength: 1, maxLength: 200 }),
          }),
          fc.record({ kind: fc.constant('short' as const), missing: fc.integer({ min: 1, max: 500 }) }),
        ),
        fc.integer({ min: 1, max: 4096 }),
        async (sizes, damage, windowBytes) => {
          let log = await logOf(sizes);
          let size = log.length;
          if (damage.kind === 'flip') {
            log = Buffer.from(log);
            log[damage.at % log.length]! ^= 1 << damage.bit;
          } else if (damage.kind === 'cut') log = log.subarray(0, damage.at % log.length);
          else if (damage.kind === 'garbage') log = Buffer.concat([log, Buffer.from(damage.bytes)]);
          if (damage.kind === 'short')
            size += damage.missing; // the file holds less than the size given
          else size = log.length;
          const whole = await walk(log, undefined, size);
          expect(await walk(log, windowBytes, size)).toEqual(whole);
          if (damage.kind === 'none') expect(whole).toMatchObject({ count: sizes.length, stop: null });
          else expect(whole.stop ?? { position: whole.end }).toMatchObject({ position: whole.end });
        },
      ),
      { numRuns: 60 },
    );
  });
});
