/**
 * Throughput of the message paths of lib/protocol, beside a baseline measured in the same run:
 * `Buffer.concat` of the same payloads (the least any encoder has to do: copy every payload once).
 *
 * Run: `npm run bench:protocol`. A plain script on purpose: speed is measured here, in a plain Node
 * process, never in timed unit tests (Jest's vm contexts distort typed-array and bigint work).
 */
import { performance } from 'node:perf_hooks';
import {
  MessageRun,
  Partitioning,
  pollMessagesCodec,
  sendMessagesCodec,
  stampMessages,
  type OutgoingMessage,
  type PolledMessage,
  type SendMessagesRequest,
} from '../lib/protocol/index.js';

const MESSAGES = 1000;
const PAYLOAD_SIZES = [1024, 100];
const WARMUP_MS = 300;
const MEASURE_MS = 1500;
/** Each sample repeats the operation until it has taken about this long. */
const SAMPLE_MS = 5;

interface Measured {
  /** Median time of one operation, ms. */
  ms: number;
  samples: number;
}

/** Sums what each operation returns, so no call can be optimised away. */
let sink = 0;

function repsFor(op: () => number): number {
  const start = performance.now();
  let reps = 0;
  while (performance.now() - start < SAMPLE_MS) {
    op();
    reps++;
  }
  return reps;
}

function sample(op: () => number, reps: number): number {
  const start = performance.now();
  for (let i = 0; i < reps; i++) sink += op();
  return (performance.now() - start) / reps;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Warms both up, then alternates samples of `op` and `baseline` so both see the same machine. */
function measurePair(op: () => number, baseline: () => number): [Measured, Measured] {
  const warmEnd = performance.now() + WARMUP_MS;
  while (performance.now() < warmEnd) {
    sink += op();
    sink += baseline();
  }
  const opReps = repsFor(op);
  const baseReps = repsFor(baseline);
  const ours: number[] = [];
  const base: number[] = [];
  const end = performance.now() + MEASURE_MS;
  while (performance.now() < end || ours.length < 10) {
    ours.push(sample(op, opReps));
    base.push(sample(baseline, baseReps));
  }
  return [
    { ms: median(ours), samples: ours.length },
    { ms: median(base), samples: base.length },
  ];
}

function payloadsOf(size: number): Buffer[] {
  return Array.from({ length: MESSAGES }, (_, i) => Buffer.alloc(size, i & 0xff));
}

const fmt = (n: number, digits = 0): string =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

function row(name: string, payloadBytes: number, ours: Measured, base: Measured): string {
  const mbps = (m: Measured): number => payloadBytes / 1e6 / (m.ms / 1000);
  const msgps = (m: Measured): number => MESSAGES / (m.ms / 1000);
  return [
    name.padEnd(42),
    fmt(mbps(ours)).padStart(9),
    fmt(msgps(ours)).padStart(12),
    fmt(mbps(base)).padStart(11),
    fmt(msgps(base)).padStart(13),
    fmt(mbps(ours) / mbps(base), 2).padStart(7),
    String(ours.samples).padStart(8),
  ].join('  ');
}

function benchSize(size: number): string[] {
  const payloads = payloadsOf(size);
  const payloadBytes = size * MESSAGES;
  const concat = (): number => Buffer.concat(payloads).length;
  const messages: OutgoingMessage[] = payloads.map((payload, i) => ({ id: BigInt(i + 1), payload }));
  const request: SendMessagesRequest = {
    streamId: 'bench',
    topicId: 'events',
    partitioning: Partitioning.balanced(),
    messages,
  };
  const sendPayload = sendMessagesCodec.encodeRequest(request);

  const run = MessageRun.encode(messages, 1n);
  stampMessages(run.bytes, 0n, 1_700_000_000_000_000n);
  const pollPayload = pollMessagesCodec.encodeResponse({
    partitionId: 0,
    currentOffset: BigInt(MESSAGES - 1),
    messages: run,
  });

  const label = `${fmt(MESSAGES)} × ${size >= 1024 ? `${size / 1024} KB` : `${size} B`}`;
  const rows: string[] = [];
  const encode = measurePair(() => sendMessagesCodec.encodeRequest(request).length, concat);
  rows.push(row(`send-messages encodeRequest ${label}`, payloadBytes, ...encode));
  const decode = measurePair(
    () => (sendMessagesCodec.decodeRequest(sendPayload).messages as MessageRun).count,
    concat,
  );
  rows.push(row(`send-messages decodeRequest ${label}`, payloadBytes, ...decode));
  const poll = measurePair(
    () => (pollMessagesCodec.decodeResponse(pollPayload).messages as readonly PolledMessage[]).length,
    concat,
  );
  rows.push(row(`poll decodeResponse (objs) ${label}`, payloadBytes, ...poll));
  return rows;
}

function main(): void {
  console.log(
    `lib/protocol bench · node ${process.version} · ${fmt(MESSAGES)} messages per batch, no user headers · ` +
      `median per operation over ~${MEASURE_MS / 1000} s after ${WARMUP_MS} ms warm-up`,
  );
  console.log(
    'MB = 10^6 bytes of message payload; baseline = Buffer.concat of the same payloads, sampled alternately; ' +
      'ratio = ours / baseline throughput (> 1: faster than the concat)',
  );
  console.log(
    [
      'case'.padEnd(42),
      'ours MB/s'.padStart(9),
      'ours msg/s'.padStart(12),
      'concat MB/s'.padStart(11),
      'concat msg/s'.padStart(13),
      'ratio'.padStart(7),
      'samples'.padStart(8),
    ].join('  '),
  );
  for (const size of PAYLOAD_SIZES) for (const line of benchSize(size)) console.log(line);
  if (sink === -1) console.log(sink);
}

main();
