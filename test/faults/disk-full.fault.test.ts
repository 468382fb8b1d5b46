import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { IggyError } from '../../lib/client/index.js';
import { IggyErrorCode } from '../../lib/protocol/codes/error-codes.js';
import { Partitioning } from '../../lib/protocol/primitives/partitioning.js';
import { BrokerProcess, cleanUp, tempDir } from '../support/app-process.js';
import { ensureBuilt } from '../support/build-once.js';
import { count, readPartition, report, rootClient } from './fault-kit.js';

const STREAM = 'faults';
const TOPIC = 'disk';
const MiB = 1024 * 1024;

/** Mounts a tmpfs of `sizeMiB` on a new directory; null (with the reason) when this process cannot. */
function smallDisk(sizeMiB: number): { dir: string; unmount(): void } | string {
  if (process.getuid?.() !== 0) return 'the suite does not run as root';
  const dir = tempDir('nestjs-iggy-disk-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMiB}m`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (error) {
    return `mount -t tmpfs failed: ${String((error as { stderr?: Buffer }).stderr ?? error).trim()}`;
  }
  return { dir, unmount: () => execFileSync('umount', ['-l', dir]) };
}

const disk = smallDisk(24);
if (typeof disk === 'string') console.warn(`disk-full fault case skipped: ${disk}`);

/**
 * The broker's disk fills up (a 24 MiB tmpfs, with a filler file): sends fail with a specific code
 * (CannotSaveMessagesToSegment, 4006) and the broker logs the cause; it stays up; once space returns
 * writes resume; after a kill -9 and restart every acknowledged message is there and nothing good is cut.
 */
(typeof disk === 'string' ? describe.skip : describe)('disk full under the broker', () => {
  beforeAll(ensureBuilt, 300_000);
  afterAll(async () => {
    if (typeof disk !== 'string') disk.unmount();
    await cleanUp();
  });

  it('fails sends with 4006 naming ENOSPC, stays up, resumes when space returns, keeps every acknowledged message', async () => {
    const { dir } = disk as { dir: string };
    const dataDir = join(dir, 'data');
    const filler = join(dir, 'filler');
    let broker = await BrokerProcess.start(dataDir, 0, ['--fsync', 'always']);
    const acked = new Set<string>();
    let client = await rootClient(broker.port);
    await client.createStream({ name: STREAM });
    await client.createTopic({ streamId: STREAM, name: TOPIC, partitionsCount: 1 });
    writeFileSync(filler, Buffer.alloc(16 * MiB));
    const payload = (id: string): Buffer =>
      Buffer.concat([Buffer.from(`${id}|`), Buffer.alloc(64 * 1024, 1)]);
    const send = async (id: string): Promise<void> => {
      await client.sendMessages({
        streamId: STREAM,
        topicId: TOPIC,
        partitioning: Partitioning.partitionId(0),
        messages: [{ payload: payload(id) }],
      });
      acked.add(id);
    };

    let failure: unknown;
    for (let i = 0; i < 1000 && failure === undefined; i++)
      await send(`before-${i}`).catch((e: unknown) => (failure = e));
    expect(failure).toBeInstanceOf(IggyError);
    expect((failure as IggyError).code).toBe(IggyErrorCode.CannotSaveMessagesToSegment);
    await broker.waitForOutput(/no space left on the device \(ENOSPC\)/, 5_000);
    // Full: still refused, the broker still answers.
    const refused = await send('while-full').catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: IggyErrorCode.CannotSaveMessagesToSegment });
    await client.ping();
    expect(broker.running).toBe(true);

    rmSync(filler);
    for (let i = 0; i < 20; i++) await send(`after-${i}`);

    await client.close();
    await broker.stop('SIGKILL');
    broker = await BrokerProcess.start(dataDir, 0, ['--fsync', 'always']);
    client = await rootClient(broker.port);
    const delivered = (await readPartition(client, STREAM, TOPIC, 0)).map((p) => p.slice(0, p.indexOf('|')));
    const counts = count(acked, delivered);
    report('disk full (24 MiB tmpfs), fsync always', { ...counts, failedWhileFull: 2, resumedAfter: 20 });
    expect(counts.lost).toBe(0);
    expect(counts.duplicated).toBe(0);
    expect(delivered.filter((id) => !acked.has(id))).toEqual([]);
    await client.close();
    await broker.stop();
  }, 180_000);
});
