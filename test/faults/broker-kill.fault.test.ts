import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { IggyClient } from '../../lib/client/index.js';
import { Partitioning } from '../../lib/protocol/primitives/partitioning.js';
import { BrokerProcess, ChildRun, cleanUp, tempDir } from '../support/app-process.js';
import { ensureBuilt } from '../support/build-once.js';
import { officialSdkPresent, OFFICIAL_SDK_DIR } from '../support/official-sdk.js';
import { count, FULL, readPartition, report, rootClient, sleep } from './fault-kit.js';

const TRIALS = FULL ? 20 : 5;
const STREAM = 'faults';
const TOPIC = 'kill9';
const BATCH = 10;
const SDK_PRODUCER = fileURLToPath(new URL('./official-sdk-producer.mjs', import.meta.url));

/** Sends batches of `BATCH` numbered messages until a send fails; adds the acknowledged ids to `into`. */
async function produce(
  send: (payloads: string[]) => Promise<unknown>,
  prefix: string,
  into: Set<string>,
): Promise<void> {
  for (let seq = 0; ; seq += BATCH) {
    const payloads = Array.from({ length: BATCH }, (_, i) => `${prefix}-${seq + i}`);
    try {
      await send(payloads);
    } catch {
      return; // the broker died under the request: not acknowledged
    }
    for (const p of payloads) into.add(p);
  }
}

/**
 * kill -9 of the broker (the `iggy-embedded` CLI) mid-stream, again and again on one data directory,
 * with producers on `IggyClient` (and the official SDK's wire when `IGGY_NODE_SDK` is set): after the
 * last restart every acknowledged message is there, once. A process crash loses nothing acknowledged
 * under any fsync mode (a send is acknowledged once written to the file).
 */
describe(`kill -9 of the broker mid-stream, ${TRIALS} trials per fsync mode`, () => {
  const sdkDir = officialSdkPresent() ? OFFICIAL_SDK_DIR! : null;
  if (!sdkDir) console.warn('IGGY_NODE_SDK is not set: the official SDK producer is left out');
  beforeAll(ensureBuilt, 300_000);
  afterAll(cleanUp);

  for (const fsync of ['always', 'interval:1000'] as const) {
    it(
      `fsync ${fsync}: nothing acknowledged is lost, nothing duplicated`,
      async () => {
        const dir = tempDir();
        const acked = new Set<string>();
        const args = ['--fsync', fsync];
        let sdkBatches = 0;
        for (let trial = 0; trial < TRIALS; trial++) {
          const broker = await BrokerProcess.start(dir, 0, args);
          const clients: IggyClient[] = [];
          try {
            const admin = await rootClient(broker.port);
            clients.push(admin);
            if (trial === 0) {
              await admin.createStream({ name: STREAM });
              await admin.createTopic({ streamId: STREAM, name: TOPIC, partitionsCount: 3 });
            }
            const producers: Promise<void>[] = [];
            for (const partition of [0, 1]) {
              const client = await rootClient(broker.port);
              clients.push(client);
              producers.push(
                produce(
                  (payloads) =>
                    client.sendMessages({
                      streamId: STREAM,
                      topicId: TOPIC,
                      partitioning: Partitioning.partitionId(partition),
                      messages: payloads.map((p) => ({ payload: Buffer.from(p) })),
                    }),
                  `t${trial}-p${partition}`,
                  acked,
                ),
              );
            }
            const official = sdkDir
              ? new ChildRun(
                  spawn(
                    process.execPath,
                    [SDK_PRODUCER, sdkDir, String(broker.port), STREAM, TOPIC, '2', `t${trial}-sdk`],
                    { stdio: ['ignore', 'pipe', 'pipe'] },
                  ),
                )
              : null;
            // The SDK's process needs its start-up time: the kill lands once it is producing too.
            await official?.waitForOutput(/^ACK /m, 20_000);
            await sleep(150 + Math.floor(Math.random() * 350));
            await broker.stop('SIGKILL');
            await Promise.all(producers);
            if (official) {
              await official.stop('SIGKILL', 5_000);
              for (const [, ids] of official.output.matchAll(/^ACK (\S+)$/gm)) {
                for (const id of ids!.split(',')) acked.add(id);
                sdkBatches++;
              }
            }
          } finally {
            for (const c of clients) await c.close().catch(() => undefined);
            await broker.stop('SIGKILL');
          }
        }
        const broker = await BrokerProcess.start(dir, 0, args);
        const reader = await rootClient(broker.port);
        try {
          const delivered: string[] = [];
          for (const partition of [0, 1, 2])
            for (const payload of await readPartition(reader, STREAM, TOPIC, partition))
              delivered.push(payload);
          const counts = count(acked, delivered);
          report(
            `broker kill -9, fsync ${fsync}, ${TRIALS} trials${sdkDir ? ', IggyClient + official SDK' : ', IggyClient'}`,
            { ...counts, officialSdkBatches: sdkBatches },
          );
          expect(counts.acknowledged).toBeGreaterThan(TRIALS * BATCH);
          expect(counts.lost).toBe(0);
          expect(counts.duplicated).toBe(0);
        } finally {
          await reader.close();
          await broker.stop();
        }
      },
      (FULL ? 40 : 15) * 10_000,
    );
  }
});
