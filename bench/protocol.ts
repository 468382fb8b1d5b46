/**
 * Throughput of the message paths of lib/protocol, beside a baseline measured in the same run:
 * `Buffer.concat` of the same payloads (the least any encoder has to do: copy every payload once).
 *
 * Run: `npm run bench:protocol`. A plain script on purpose: speed is measured here, in a plain Node
 * process, never in timed unit tests (Jest's vm contexts distort typed-array and bigint work).
 */
import {
  decodeUserHeaders,
  encodeStringHeaders,
  MessageRun,
  Partitioning,
  pollMessagesCodec,
  sendMessagesCodec,
  type OutgoingMessage,
  type PolledMessage,
  type SendMessagesRequest,
} from '../lib/protocol/index.js';
import { stampBatch } from '../lib/broker/storage/batch-stamper.js';
import { fmt, keepSink, measurePair, pairedRatio, type Measured, type Timing } from './support/measure.js';

const MESSAGES = 1000;
const PAYLOAD_SIZES = [1024, 100];
const WARMUP_MS = 300;
const MEASURE_MS = 1500;
/** Each sample repeats the operation for about 5 ms; at least 10 samples each. */
const TIMING: Timing = { warmupMs: WARMUP_MS, measureMs: MEASURE_MS, sampleMs: 5, minSamples: 10 };

function payloadsOf(size: number): Buffer[] {
  return Array.from({ length: MESSAGES }, (_, i) => Buffer.alloc(size, i & 0xff));
}

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
  stampBatch(run.bytes, run.ends(), 0n, 1_700_000_000_000_000n);
  const pollPayload = pollMessagesCodec.encodeResponse({
    partitionId: 0,
    currentOffset: BigInt(MESSAGES - 1),
    messages: run,
  });

  const label = `${fmt(MESSAGES)} × ${size >= 1024 ? `${size / 1024} KB` : `${size} B`}`;
  const rows: string[] = [];
  const encode = measurePair(() => sendMessagesCodec.encodeRequest(request).length, concat, TIMING);
  rows.push(row(`send-messages encodeRequest ${label}`, payloadBytes, ...encode));
  const decode = measurePair(
    () => (sendMessagesCodec.decodeRequest(sendPayload).messages as MessageRun).count,
    concat,
    TIMING,
  );
  rows.push(row(`send-messages decodeRequest ${label}`, payloadBytes, ...decode));
  const poll = measurePair(
    () => (pollMessagesCodec.decodeResponse(pollPayload).messages as readonly PolledMessage[]).length,
    concat,
    TIMING,
  );
  rows.push(row(`poll decodeResponse (objs) ${label}`, payloadBytes, ...poll));
  return rows;
}

/** An event's headers as `emit` writes them: nine names, six values (an id, a type, a time...). */
const ENVELOPE_HEADER_PAIRS = [
  'event_id',
  '019afc2e-1b2c-7d3e-8f4a-5b6c7d8e9f00',
  'event_type',
  'order.created',
  'event_version',
  '1',
  'tenant_id',
  'tenant-7',
  'occurred_at',
  '2026-12-07T19:51:03.123Z',
  'content_type',
  'application/json',
];

/**
 * One event's user headers, encoded and decoded, per message; the baseline is the same names and values
 * as a JSON object, stringified into a Buffer and parsed back (what a text format would cost).
 */
function benchHeaders(): string[] {
  const object = Object.fromEntries(
    Array.from({ length: ENVELOPE_HEADER_PAIRS.length / 2 }, (_, i) => [
      ENVELOPE_HEADER_PAIRS[2 * i],
      ENVELOPE_HEADER_PAIRS[2 * i + 1],
    ]),
  );
  const encoded = encodeStringHeaders(ENVELOPE_HEADER_PAIRS);
  const json = Buffer.from(JSON.stringify(object));
  const line = (name: string, [ours, base]: [Measured, Measured]): string =>
    [
      name.padEnd(42),
      fmt(ours.ms * 1e6).padStart(9),
      fmt(base.ms * 1e6).padStart(11),
      fmt(pairedRatio(ours, base), 2).padStart(7),
      String(ours.samples).padStart(8),
    ].join('  ');
  return [
    [
      'case'.padEnd(42),
      'ours ns'.padStart(9),
      'JSON ns'.padStart(11),
      'ratio'.padStart(7),
      'samples'.padStart(8),
    ].join('  '),
    line(
      'envelope headers encode (6 string pairs)',
      measurePair(
        () => encodeStringHeaders(ENVELOPE_HEADER_PAIRS).length,
        () => Buffer.from(JSON.stringify(object)).length,
        TIMING,
      ),
    ),
    line(
      'envelope headers decode',
      measurePair(
        () => decodeUserHeaders(encoded, 0, encoded.length).length,
        () => Object.keys(JSON.parse(json.toString()) as object).length,
        TIMING,
      ),
    ),
  ];
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
  console.log(
    "\none message's user headers, per operation; baseline = the same names and values as JSON text",
  );
  for (const line of benchHeaders()) console.log(line);
  keepSink();
}

main();
