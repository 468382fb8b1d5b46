import { chmod, mkdir, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { Broker } from '../../../lib/broker/broker.js';
import { ConsumerKind, PartitioningKind } from '../../../lib/broker/types.js';
import { batch, login, tempDir } from './broker-kit.js';
import { MessageRun } from '../../../lib/protocol/messages/message-run.js';

/** Every path under `dir` (itself included) with its permission bits. */
async function modes(dir: string): Promise<[string, number][]> {
  const out: [string, number][] = [[dir, (await stat(dir)).mode & 0o777]];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await modes(path)));
    else out.push([path, (await stat(path)).mode & 0o777]);
  }
  return out;
}

const describeOnPosix = process.platform === 'win32' ? describe.skip : describe;

describeOnPosix('Broker: data files are for their owner only', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let broker: Broker | null = null;
  const previousUmask = process.umask(0o022); // the usual umask, which leaves files 0644 unless asked

  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
  });
  afterEach(async () => {
    await broker?.close();
    broker = null;
    await cleanup();
  });
  afterAll(() => {
    process.umask(previousUmask);
  });

  it('writes metadata, segments, indexes, offsets and the lock 0600 in 0700 folders', async () => {
    const dataDir = join(dir, 'new', 'data');
    broker = await Broker.open({ dataDir, rootPassword: 'secret', retentionIntervalMs: 0 });
    const root = await login(broker, 'iggy', 'secret');
    await root.createStream({ name: 's' });
    await root.createTopic({ streamId: 's', name: 't', partitionsCount: 1 });
    await root.sendMessages({
      streamId: 's',
      topicId: 't',
      partitioning: { kind: PartitioningKind.PartitionId, partitionId: 0 },
      messages: new MessageRun(batch(['a']), 1),
    });
    const consumer = { kind: ConsumerKind.Consumer, id: 1 };
    await root.storeOffset({
      streamId: 's',
      topicId: 't',
      consumer,
      partitionId: 0,
      offset: 0n,
    });
    await root.createAccessToken({ name: 'pat', expiry: 0n });
    const all = await modes(dataDir);
    const names = all.map(([p]) => p.slice(dataDir.length));
    expect(names).toEqual(expect.arrayContaining(['/metadata.json', '/.lock']));
    expect(names.some((n) => n.endsWith('.log'))).toBe(true);
    expect(names.some((n) => n.endsWith('.index'))).toBe(true);
    expect(names.some((n) => n.endsWith('/offsets/journal'))).toBe(true);
    expect(all.filter(([, mode]) => (mode & 0o077) !== 0)).toEqual([]);
  });

  it('restricts an existing data directory made 0755 before', async () => {
    const dataDir = join(dir, 'old');
    await mkdir(dataDir);
    await chmod(dataDir, 0o755);
    broker = await Broker.open({ dataDir, rootPassword: 'secret', retentionIntervalMs: 0 });
    expect((await stat(dataDir)).mode & 0o777).toBe(0o700);
  });
});
