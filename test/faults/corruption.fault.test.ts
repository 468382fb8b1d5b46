import { appendFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { IggyError } from '../../lib/client/index.js';
import { IggyErrorCode } from '../../lib/protocol/codes/error-codes.js';
import { ConsumerKind } from '../../lib/protocol/primitives/consumer.js';
import { Partitioning } from '../../lib/protocol/primitives/partitioning.js';
import { PollingStrategy } from '../../lib/protocol/primitives/polling-strategy.js';
import { BrokerProcess, cleanUp, tempDir } from '../support/app-process.js';
import { ensureBuilt } from '../support/build-once.js';
import { report, rootClient } from './fault-kit.js';

const STREAM = 'faults';
const TOPIC = 'damage';
const MESSAGES = 120;

/**
 * Damage on disk, as the README says it is handled: a byte flipped in a sealed segment fails the poll of
 * that message with CannotReadMessage (never served); a torn tail (garbage after the last batch) is cut
 * at start with a log line; every other message is still served.
 */
describe('corrupted sealed segment and torn tail', () => {
  beforeAll(ensureBuilt, 300_000);
  afterAll(cleanUp);

  it('detects both: the damaged message is refused, the tail cut and logged, the rest served', async () => {
    const dir = tempDir();
    const args = ['--fsync', 'always', '--segment-size-bytes', '4096'];
    let broker = await BrokerProcess.start(dir, 0, args);
    let client = await rootClient(broker.port);
    await client.createStream({ name: STREAM });
    await client.createTopic({ streamId: STREAM, name: TOPIC, partitionsCount: 1 });
    for (let i = 0; i < MESSAGES; i++) {
      await client.sendMessages({
        streamId: STREAM,
        topicId: TOPIC,
        partitioning: Partitioning.partitionId(0),
        messages: [{ payload: Buffer.from(`message-${String(i).padStart(4, '0')}-${'x'.repeat(100)}`) }],
      });
    }
    await client.close();
    await broker.stop('SIGTERM');

    const partitionDir = join(dir, 'streams', '0', 'topics', '0', 'partitions', '0');
    const logs = readdirSync(partitionDir)
      .filter((f) => f.endsWith('.log'))
      .sort();
    expect(logs.length).toBeGreaterThan(3);
    // A payload byte of the second message of the second (sealed) segment.
    const sealed = join(partitionDir, logs[1]!);
    const bytes = readFileSync(sealed);
    const firstLength = 64 + bytes.readUInt32LE(48) + bytes.readUInt32LE(52); // header + payload + headers
    const target = firstLength + 64 + 10;
    bytes[target] = bytes[target]! ^ 0xff;
    writeFileSync(sealed, bytes);
    const damagedOffset = BigInt(logs[1]!.replace('.log', '')) + 1n;
    appendFileSync(join(partitionDir, logs[logs.length - 1]!), Buffer.alloc(100, 0xab));

    broker = await BrokerProcess.start(dir, 0, args);
    await broker.waitForOutput(/cut a torn tail from the last segment/, 10_000);
    client = await rootClient(broker.port);
    const served: string[] = [];
    let refusedAt: bigint | null = null;
    let refusedCode = 0;
    for (let offset = 0n; offset < BigInt(MESSAGES); offset++) {
      try {
        const polled = await client.pollMessages({
          streamId: STREAM,
          topicId: TOPIC,
          consumer: { kind: ConsumerKind.Consumer, id: 1 },
          partitionId: 0,
          strategy: PollingStrategy.offset(offset),
          count: 1,
          autoCommit: false,
        });
        for (const m of polled.messages) served.push(m.payload.toString().slice(0, 12));
      } catch (error) {
        expect(error).toBeInstanceOf(IggyError);
        refusedAt ??= offset;
        refusedCode = (error as IggyError).code;
      }
    }
    await client.close();
    await broker.stop();
    const intact = Array.from({ length: MESSAGES }, (_, i) => `message-${String(i).padStart(4, '0')}`).filter(
      (_, i) => BigInt(i) !== damagedOffset,
    );
    const lostIntact = intact.filter((m) => !served.includes(m)).length;
    report('corrupted sealed segment + torn tail', {
      acknowledged: MESSAGES,
      delivered: served.length,
      lost: lostIntact,
      duplicated: served.length - new Set(served).size,
      refusedAsDamaged: refusedAt === null ? 0 : 1,
      tailCut: 1,
    });
    expect(refusedAt).toBe(damagedOffset);
    expect(refusedCode).toBe(IggyErrorCode.CannotReadMessage);
    expect(lostIntact).toBe(0);
    expect(served).toHaveLength(MESSAGES - 1);
  }, 120_000);
});
