import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Broker } from '../../../lib/broker/broker.js';
import { ConsumerKind, PollingKind, Transport } from '../../../lib/broker/types.js';
import { ChildRun, cleanUp, tempDir } from '../../support/app-process.js';
import { ensureBuilt, repoRoot } from '../../support/build-once.js';
import { payloads, pollBytes } from './broker-kit.js';

const LANES = 64;
const PARTITIONS = 2;
/** Acknowledged sends before the kill. */
const ACKS_BEFORE_KILL = 3000;

/**
 * A broker (fsync `always`) in a child process, `LANES` sends in flight over two partitions, one or three
 * messages each, printing `ack <i>` once send i resolved; `acked <n>` tells the parent when to kill.
 */
function crashingProducer(dataDir: string): string {
  const dist = (path: string): string => JSON.stringify(pathToFileURL(join(repoRoot, 'dist', path)).href);
  return `
    import { Broker, Transport } from ${dist('lib/broker/index.js')};
    import { Partitioning } from ${dist('lib/protocol/primitives/partitioning.js')};
    const broker = await Broker.open({ dataDir: ${JSON.stringify(dataDir)}, fsync: { kind: 'always' }, retentionIntervalMs: 0, rootPassword: 'iggy' });
    const c = broker.connect(Transport.Tcp, 'crash');
    await c.login('iggy', 'iggy');
    await c.createStream({ name: 's' });
    await c.createTopic({ streamId: 's', name: 't', partitionsCount: ${PARTITIONS} });
    let next = 0;
    let acked = 0;
    const lane = async () => {
      for (;;) {
        const i = next++;
        const count = i % 5 === 0 ? 3 : 1;
        const messages = Array.from({ length: count }, (_, k) => ({ payload: Buffer.from(i + '.' + k) }));
        await c.sendMessages({ streamId: 's', topicId: 't', partitioning: Partitioning.partitionId(i % ${PARTITIONS}), messages });
        process.stdout.write('ack ' + i + '\\n');
        if (++acked === ${ACKS_BEFORE_KILL}) process.stdout.write('acked ' + acked + '\\n');
      }
    };
    await Promise.all(Array.from({ length: ${LANES} }, lane));
  `;
}

async function storedPayloads(dataDir: string): Promise<string[]> {
  const broker = await Broker.open({ dataDir, retentionIntervalMs: 0, rootPassword: 'iggy' });
  try {
    const root = broker.connect(Transport.Tcp, 'check');
    await root.login('iggy', 'iggy');
    const stored: string[] = [];
    for (let partitionId = 0; partitionId < PARTITIONS; partitionId++) {
      const polled = await pollBytes(root, {
        streamId: 's',
        topicId: 't',
        consumer: { kind: ConsumerKind.Consumer, id: 1 },
        partitionId,
        strategy: { kind: PollingKind.First, value: 0n },
        count: 1_000_000,
        autoCommit: false,
      });
      stored.push(...payloads(polled.messages));
    }
    return stored;
  } finally {
    await broker.close();
  }
}

describe('Broker: kill -9 under fsync always', () => {
  beforeAll(ensureBuilt, 180_000);
  afterAll(cleanUp);

  it('loses no acknowledged message of many concurrent appends sharing writes and fsyncs', async () => {
    const dataDir = join(tempDir('iggy-crash-'), 'data');
    const child = new ChildRun(
      spawn(process.execPath, ['--input-type=module', '-e', crashingProducer(dataDir)], {
        cwd: repoRoot,
        env: { PATH: process.env.PATH ?? '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
    await child.waitForOutput(new RegExp(`acked ${ACKS_BEFORE_KILL}\\n`), 90_000);
    expect(await child.stop('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });

    const acked = [...child.output.matchAll(/^ack (\d+)$/gm)].map((m) => Number(m[1]));
    expect(acked.length).toBeGreaterThanOrEqual(ACKS_BEFORE_KILL);
    const stored = await storedPayloads(dataDir);
    const present = new Set(stored);
    expect(present.size).toBe(stored.length); // nothing stored twice
    const missing = acked.flatMap((i) =>
      Array.from({ length: i % 5 === 0 ? 3 : 1 }, (_, k) => `${i}.${k}`).filter((p) => !present.has(p)),
    );
    expect(missing).toEqual([]);
  }, 180_000);
});
