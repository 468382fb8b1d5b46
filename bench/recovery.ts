/**
 * How fast the embedded broker reopens a partition: its last segment is walked whole at startup (every
 * header checked, every checksum verified, the index rebuilt where it differs), so startup time grows with
 * the size of the active segments. Beside it, sampled alternately: reading the same log file through in
 * 4 MB chunks and hashing each chunk whole (XXH3, @node-rs/xxhash), the least a walk that checks it costs.
 *
 * Run: `npm run bench:recovery` (`RECOVERY_MB` sets the log size, default 64). Data goes to a temporary
 * directory under os.tmpdir(), removed at the end; the file stays in the page cache, so this is the CPU cost.
 */
import { open, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { xxh3 } from '@node-rs/xxhash';
import { openFilePartitionStore } from '../lib/broker/storage/file-partition-store.js';
import { encodeMessages, walkMessages, type OutgoingMessage } from '../lib/protocol/index.js';
import { consume, fmt, keepSink, measureBatches, pairedRatio } from './support/measure.js';

const LOG_MB = Number(process.env.RECOVERY_MB ?? 64);
const PAYLOAD_BYTES = 200;
const BATCH = 1000;
const CHUNK = 4 * 1024 * 1024;
const TIMING = { warmupMs: 1000, measureMs: 6000, sampleMs: 200, minSamples: 5 };

async function fill(dir: string): Promise<string> {
  const store = await openFilePartitionStore(dir, { fsync: { kind: 'never' } });
  const messages: OutgoingMessage[] = Array.from({ length: BATCH }, (_, i) => ({
    payload: Buffer.alloc(PAYLOAD_BYTES, i % 251),
  }));
  const fault = (): Error => new Error('bench batch is malformed');
  while (store.stats().sizeBytes < BigInt(LOG_MB) * 1_000_000n) {
    const bytes = encodeMessages(messages);
    await store.append(bytes, walkMessages(bytes, {}, fault));
  }
  await store.close();
  const log = (await readdir(dir)).find((name) => name.endsWith('.log'))!;
  return join(dir, log);
}

async function reopen(dir: string): Promise<void> {
  const store = await openFilePartitionStore(dir, { fsync: { kind: 'never' } });
  consume(Number(store.stats().messagesCount));
  await store.close();
}

async function readAndHash(path: string): Promise<void> {
  const file = await open(path, 'r');
  const chunk = Buffer.allocUnsafe(CHUNK);
  try {
    for (let at = 0; ;) {
      const { bytesRead } = await file.read(chunk, 0, CHUNK, at);
      if (bytesRead === 0) break;
      consume(Number(xxh3.xxh64(chunk.subarray(0, bytesRead)) & 1n));
      at += bytesRead;
    }
  } finally {
    await file.close();
  }
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'nestjs-iggy-bench-recovery-'));
  try {
    const log = await fill(dir);
    const mb = LOG_MB;
    const runner = (one: () => Promise<void>) => async (n: number) => {
      for (let i = 0; i < n; i++) await one();
    };
    const [ours, base] = await measureBatches(
      [runner(() => reopen(dir)), runner(() => readAndHash(log))],
      TIMING,
    );
    console.log(`reopen of one partition, a ${mb} MB active segment of ${PAYLOAD_BYTES} B messages:`);
    console.log(
      `  reopen (walk, checksums, index)  ${fmt(mb / (ours!.ms / 1000))} MB/s  (${fmt(ours!.ms)} ms)`,
    );
    console.log(
      `  read + hash by chunk (baseline)   ${fmt(mb / (base!.ms / 1000))} MB/s  (${fmt(base!.ms)} ms)`,
    );
    console.log(`  ratio ${fmt(pairedRatio(ours!, base!), 2)}× the baseline's speed`);
    keepSink();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
