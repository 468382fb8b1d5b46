/**
 * Produce and poll throughput of the embedded broker (lib/broker), through its in-process API and over
 * TCP (EmbeddedServer + IggyClient), each beside baselines measured in the same run and sampled
 * alternately with it: raw `FileHandle.write`/`read` of the same bytes to a file in the same directory
 * (with `datasync` per batch for fsync `always`) and, for TCP, a raw loopback socket moving the same
 * bytes with the same number of batches in flight.
 *
 * Run: `npm run bench:broker`; words after it pick cases whose key (`in-process-1024-never`,
 * `tcp-100-always`, …) contains every one of them, e.g. `npm run bench:broker -- tcp never`. Data goes to a temporary directory under os.tmpdir(), removed at the end.
 * Server and client share this process (and its event loop), as do both ends of the raw socket.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { xxh3 } from '@node-rs/xxhash';
import {
  Broker,
  EmbeddedServer,
  Transport,
  type BrokerSession,
  type PollRequest,
} from '../lib/broker/index.js';
import { stampBatch } from '../lib/broker/storage/batch-stamper.js';
import { IggyClient, type PollInput } from '../lib/client/index.js';
import {
  CommandCode,
  ConsumerKind,
  MessageRun,
  Partitioning,
  POLL_RESPONSE_HEAD_BYTES,
  PollingStrategy,
  RESPONSE_HEADER_BYTES,
  encodeRequestFrame,
  messageChecksum,
  pollMessagesCodec,
  sendMessagesCodec,
  type OutgoingMessage,
  type SendMessagesRequest,
} from '../lib/protocol/index.js';
import {
  consume,
  fmt,
  keepSink,
  measureBatches,
  pairedRatio,
  type BatchRunner,
  type Measured,
  type Timing,
} from './support/measure.js';
import { RawFile, cycler, pipelined, sequential, type Fsync } from './support/raw-file.js';
import { RawSocketEcho } from './support/raw-socket.js';

const MESSAGES = 1000;
const PAYLOAD_SIZES = [1024, 100];
/** Batches in flight on the TCP connection (IggyClient pipelining, and the raw socket). */
const DEPTH = 8;
/** Polls cycle over at most this many of the batches produced (all of them stay in the page cache). */
const POLL_CYCLE = 256;
/** Single-message sends in flight at once in the concurrent-sends case (many clients sending one by one). */
const SEND_DEPTH = 256;
const SMALL_PAYLOAD = 200;
const IO_TIMING: Timing = { warmupMs: 400, measureMs: 3000, sampleMs: 80, minSamples: 5 };
const STREAM = 'bench';
const TOPIC = 'events';
const CREDENTIALS = { username: 'iggy', password: 'iggy' };

/** What one measured operation moves. */
interface Unit {
  messages: number;
  /** Payload bytes (what MB counts). */
  payloadBytes: number;
}

interface Batch extends Unit {
  size: number;
  run: MessageRun;
}

function batchOf(size: number, messages = MESSAGES): Batch {
  const outgoing: OutgoingMessage[] = Array.from({ length: messages }, (_, i) => ({
    id: BigInt(i + 1),
    payload: Buffer.alloc(size, i & 0xff),
  }));
  return { size, messages, payloadBytes: size * messages, run: MessageRun.encode(outgoing) };
}

const sizeLabel = (size: number): string => (size >= 1024 ? `${size / 1024} KB` : `${size} B`);

// ── output ─────────────────────────────────────────────────────────────────────────────────────

const COLUMNS: [string, number][] = [
  ['case', 34],
  ['ours MB/s', 9],
  ['ours msg/s', 11],
  ['baseline', 21],
  ['base MB/s', 9],
  ['base msg/s', 11],
  ['ratio', 5],
  ['samples', 7],
];

/** Names left-aligned, numbers right-aligned. */
function line(cells: string[]): string {
  return cells
    .map((cell, i) => {
      const width = COLUMNS[i]![1];
      return i === 0 || i === 3 ? cell.padEnd(width) : cell.padStart(width);
    })
    .join('  ');
}

function row(name: string, unit: Unit, ours: Measured, baseName: string, base: Measured): string {
  const mbps = (m: Measured): number => unit.payloadBytes / 1e6 / (m.ms / 1000);
  const msgps = (m: Measured): number => unit.messages / (m.ms / 1000);
  return line([
    name,
    fmt(mbps(ours)),
    fmt(msgps(ours)),
    baseName,
    fmt(mbps(base)),
    fmt(msgps(base)),
    fmt(pairedRatio(ours, base), 2),
    `${ours.samples}/${base.samples}`,
  ]);
}

// ── in-process ─────────────────────────────────────────────────────────────────────────────────

async function openBroker(
  dataDir: string,
  fsync: Fsync,
): Promise<{ broker: Broker; session: BrokerSession }> {
  await mkdir(dataDir, { recursive: true });
  const broker = await Broker.open({
    dataDir,
    fsync: { kind: fsync },
    retentionIntervalMs: 0,
    rootPassword: CREDENTIALS.password,
  });
  const session = broker.connect(Transport.Tcp, 'bench');
  await session.login(CREDENTIALS.username, CREDENTIALS.password);
  await session.createStream({ name: STREAM });
  await session.createTopic({ streamId: STREAM, name: TOPIC, partitionsCount: 1 });
  return { broker, session };
}

function pollRequest(offset: bigint): PollRequest & PollInput {
  return {
    streamId: STREAM,
    topicId: TOPIC,
    consumer: { kind: ConsumerKind.Consumer, id: 1 },
    partitionId: 0,
    strategy: PollingStrategy.offset(offset),
    count: MESSAGES,
    autoCommit: false,
  };
}

function expectCount(got: number, offset: bigint): void {
  if (got !== MESSAGES) throw new Error(`poll at offset ${offset} returned ${got} messages, not ${MESSAGES}`);
}

/** The CPU work of an append without its I/O, each as a runner of `batches` batches (sync, so no await). */
function appendPieces(batch: Batch): BatchRunner[] {
  const bytes = Buffer.from(batch.run.bytes);
  const ends = batch.run.ends();
  const checksums = (): number => {
    let start = 0;
    let acc = 0;
    for (let i = 0; i < MESSAGES; i++) {
      acc += Number(messageChecksum(bytes.subarray(start, ends[i])) & 0xffn);
      start = ends[i]!;
    }
    return acc;
  };
  const stamp = (): number => {
    stampBatch(bytes, ends, 0n, 1_700_000_000_000_000n);
    return bytes[0]!;
  };
  const oneCall = (): number => Number(xxh3.xxh64(bytes) & 0xffn);
  return [checksums, stamp, oneCall].map((op) => async (batches: number) => {
    for (let i = 0; i < batches; i++) consume(op());
  });
}

const APPEND_PIECES = [
  `checksum only: ${fmt(MESSAGES)} × xxh3 (@node-rs/xxhash)`,
  'stampBatch (offset, timestamp, checksum)',
  'xxh3 of the whole batch in one call',
];

/**
 * Produce through `Broker` (for fsync `never` sampled with the CPU pieces of an append, to show where
 * the time goes), then for fsync `never` poll it back.
 */
async function benchInProcess(root: string, batch: Batch, fsync: Fsync): Promise<void> {
  const dir = join(root, `in-process-${batch.size}-${fsync}`);
  await mkdir(dir, { recursive: true });
  const { broker, session } = await openBroker(join(dir, 'broker'), fsync);
  const raw = await RawFile.create(join(dir, 'raw.log'));
  const label = `${sizeLabel(batch.size)} fsync ${fsync}`;
  try {
    // Stamped in place by every send, as a decoded request would be.
    const bytes = Buffer.from(batch.run.bytes);
    const partition = Partitioning.partitionId(0);
    let produced = 0;
    const ours = sequential(async () => {
      await session.sendMessages({
        streamId: STREAM,
        topicId: TOPIC,
        partitioning: partition,
        messages: new MessageRun(bytes, MESSAGES),
      });
      produced++;
    });
    const base = sequential(() => raw.append(bytes, fsync));
    const pieces = fsync === 'never' ? appendPieces(batch) : [];
    const [send, write, ...cpu] = await measureBatches([ours, base, ...pieces], IO_TIMING);
    const writeName = `fs.write${fsync === 'always' ? '+datasync' : ''}`;
    console.log(row(`in-process produce ${label}`, batch, send!, writeName, write!));
    if (cpu.length > 0) {
      console.log(
        `  where the time goes, in-process produce ${label}: ${fmt(send!.ms, 3)} ms per batch ` +
          `of ${fmt(MESSAGES)} (100 %); sampled with it:`,
      );
      const share = (piece: string, m: Measured): void =>
        console.log(
          `    ${piece.padEnd(46)} ${fmt(m.ms, 3).padStart(7)} ms ${fmt(100 * pairedRatio(send!, m)).padStart(4)} %`,
        );
      cpu.forEach((m, i) => share(APPEND_PIECES[i]!, m));
      share(`raw ${writeName} of the batch (baseline above)`, write!);
    }

    if (fsync === 'never') {
      const cycle = Math.min(produced, raw.batches(bytes.length), POLL_CYCLE);
      const next = cycler(cycle);
      const poll = sequential(async () => {
        const offset = BigInt(next() * MESSAGES);
        const result = await session.pollMessagesRun(pollRequest(offset));
        expectCount(result.messages.count, offset);
      });
      const nextRaw = cycler(cycle);
      const read = sequential(async () => consume((await raw.read(nextRaw(), bytes.length)).length));
      const [polled, readBack] = await measureBatches([poll, read], IO_TIMING);
      console.log(row(`in-process poll ${sizeLabel(batch.size)}`, batch, polled!, 'fs.read', readBack!));

      // A consumer right behind the producer: the batch just appended, against reading it back from the file.
      const last = BigInt((produced - 1) * MESSAGES);
      const tailPoll = sequential(async () => {
        expectCount((await session.pollMessagesRun(pollRequest(last))).messages.count, last);
      });
      const lastRaw = raw.batches(bytes.length) - 1;
      const tailRead = sequential(async () => consume((await raw.read(lastRaw, bytes.length)).length));
      const [tail, tailBack] = await measureBatches([tailPoll, tailRead], IO_TIMING);
      console.log(row(`in-process poll tail ${sizeLabel(batch.size)}`, batch, tail!, 'fs.read', tailBack!));
    }
  } finally {
    await raw.close();
    await broker.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Many single-message sends at once (many clients, each sending one event): `SEND_DEPTH` in flight, each
 * lane with its own message (a send stamps it in place), against as many `fs.write`s (+ `datasync`) of one
 * message each in flight on a raw file: the cost of one write (and fsync) per message.
 */
async function benchConcurrentSends(root: string, fsync: Fsync): Promise<void> {
  const dir = join(root, `concurrent-sends-${fsync}`);
  await mkdir(dir, { recursive: true });
  const { broker, session } = await openBroker(join(dir, 'broker'), fsync);
  const raw = await RawFile.create(join(dir, 'raw.log'));
  const one = batchOf(SMALL_PAYLOAD, 1);
  try {
    const messages = Array.from({ length: SEND_DEPTH }, () => Buffer.from(one.run.bytes));
    const partition = Partitioning.partitionId(0);
    const ours = pipelined(SEND_DEPTH, (lane) =>
      session.sendMessages({
        streamId: STREAM,
        topicId: TOPIC,
        partitioning: partition,
        messages: new MessageRun(messages[lane]!, 1),
      }),
    );
    const base = pipelined(SEND_DEPTH, (lane) => raw.append(messages[lane]!, fsync));
    const [sent, written] = await measureBatches([ours, base], IO_TIMING);
    const name = `in-process ${SEND_DEPTH} × 1 × ${sizeLabel(SMALL_PAYLOAD)} fsync ${fsync}`;
    const writeName = `fs.write${fsync === 'always' ? '+datasync' : ''} × ${SEND_DEPTH}`;
    console.log(row(name, one, sent!, writeName, written!));
  } finally {
    await raw.close();
    await broker.close();
    await rm(dir, { recursive: true, force: true });
  }
}

// ── TCP ────────────────────────────────────────────────────────────────────────────────────────

/** Produce (and for fsync `never`, poll) through EmbeddedServer + IggyClient. */
async function benchTcp(root: string, batch: Batch, fsync: Fsync): Promise<void> {
  const dir = join(root, `tcp-${batch.size}-${fsync}`);
  await mkdir(join(dir, 'broker'), { recursive: true });
  const server = await EmbeddedServer.start({
    dataDir: join(dir, 'broker'),
    fsync: { kind: fsync },
    retentionIntervalMs: 0,
    rootPassword: CREDENTIALS.password,
    tcpPort: 0,
    httpPort: false,
  });
  const setup = server.broker.connect(Transport.Tcp, 'bench-setup');
  await setup.login(CREDENTIALS.username, CREDENTIALS.password);
  await setup.createStream({ name: STREAM });
  await setup.createTopic({ streamId: STREAM, name: TOPIC, partitionsCount: 1 });
  await setup.close();
  const client = new IggyClient({
    addresses: [server.tcpAddress],
    credentials: CREDENTIALS,
    maxInFlight: DEPTH,
    reconnect: false,
  });
  const raw = await RawFile.create(join(dir, 'raw.log'));
  const echoes: RawSocketEcho[] = [];
  const label = `${sizeLabel(batch.size)} fsync ${fsync}`;
  try {
    await client.connect();
    // Pre-encoded: the client copies the run into its request (encoding objects is bench:protocol's part).
    const request: SendMessagesRequest = {
      streamId: STREAM,
      topicId: TOPIC,
      partitioning: Partitioning.partitionId(0),
      messages: batch.run,
    };
    const sendFrame = encodeRequestFrame(CommandCode.SendMessages, sendMessagesCodec.encodeRequest(request));
    const ack = Buffer.alloc(RESPONSE_HEADER_BYTES);
    const echo = await RawSocketEcho.start(sendFrame.length, ack);
    echoes.push(echo);
    let produced = 0;
    const ours = pipelined(DEPTH, async () => {
      await client.sendMessages(request);
      produced++;
    });
    const disk = sequential(() => raw.append(batch.run.bytes, fsync));
    const socket = pipelined(DEPTH, () => echo.send(sendFrame));
    const [send, write, echoed] = await measureBatches([ours, disk, socket], IO_TIMING);
    const writeName = `fs.write${fsync === 'always' ? '+datasync' : ''}`;
    console.log(row(`tcp produce ${label}`, batch, send!, writeName, write!));
    console.log(row('', batch, send!, `socket, ${DEPTH} in flight`, echoed!));

    if (fsync === 'never') {
      const length = batch.run.bytes.length;
      const cycle = Math.min(produced, raw.batches(length), POLL_CYCLE);
      const next = cycler(cycle);
      const poll = pipelined(DEPTH, async () => {
        const offset = BigInt(next() * MESSAGES);
        const result = await client.pollMessages(pollRequest(offset));
        expectCount(result.messages.length, offset);
      });
      const nextRaw = cycler(cycle);
      const read = sequential(async () => consume((await raw.read(nextRaw(), length)).length));
      const pollFrame = encodeRequestFrame(
        CommandCode.PollMessages,
        pollMessagesCodec.encodeRequest(pollRequest(0n)),
      );
      const answer = Buffer.alloc(RESPONSE_HEADER_BYTES + POLL_RESPONSE_HEAD_BYTES + length);
      const pollEcho = await RawSocketEcho.start(pollFrame.length, answer);
      echoes.push(pollEcho);
      const socketPoll = pipelined(DEPTH, () => pollEcho.send(pollFrame));
      const [polled, readBack, echoedPoll] = await measureBatches([poll, read, socketPoll], IO_TIMING);
      console.log(row(`tcp poll ${sizeLabel(batch.size)}`, batch, polled!, 'fs.read', readBack!));
      console.log(row('', batch, polled!, `socket, ${DEPTH} in flight`, echoedPoll!));
    }
  } finally {
    await client.close();
    await Promise.all(echoes.map((echo) => echo.close()));
    await raw.close();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

// ── main ───────────────────────────────────────────────────────────────────────────────────────

async function main(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'iggy-bench-broker-'));
  const started = performance.now();
  try {
    console.log(
      `lib/broker bench · node ${process.version} · ${fmt(MESSAGES)} messages per batch, no user headers · ` +
        `median per batch over ~${IO_TIMING.measureMs / 1000} s of alternating samples after ` +
        `${IO_TIMING.warmupMs} ms warm-up · data in ${root}`,
    );
    const notes = [
      'MB = 10^6 bytes of message payload (each message also carries a 64-byte header); ratio = ours / baseline ' +
        'throughput, median over adjacent sample pairs (> 1: faster than the baseline)',
      'fs.write / fs.read = FileHandle of the same bytes, to a file in the same directory (+datasync: per batch); ' +
        `socket = raw node:net loopback carrying frames and answers of the same sizes, ${DEPTH} batches in flight`,
      `tcp = EmbeddedServer + IggyClient in this process, one connection, ${DEPTH} batches in flight, messages ` +
        'pre-encoded (MessageRun); polls read back what was produced, by offset, 1,000 per poll',
      `${SEND_DEPTH} × 1 = single-message sends, ${SEND_DEPTH} in flight, per message (baseline: as many ` +
        'one-message fs.writes in flight); poll tail = the batch just produced, again and again',
    ];
    for (const note of notes) console.log(note);
    console.log(line(COLUMNS.map(([name]) => name)));
    const filters = process.argv.slice(2);
    const chosen = (key: string): boolean => filters.every((word) => key.includes(word));
    for (const fsync of ['never', 'always'] as const) {
      if (chosen(`in-process-concurrent-sends-${fsync}`)) await benchConcurrentSends(root, fsync);
    }
    for (const size of PAYLOAD_SIZES) {
      const batch = batchOf(size);
      for (const fsync of ['never', 'always'] as const) {
        if (chosen(`in-process-${size}-${fsync}`)) await benchInProcess(root, batch, fsync);
      }
      for (const fsync of ['never', 'always'] as const) {
        if (chosen(`tcp-${size}-${fsync}`)) await benchTcp(root, batch, fsync);
      }
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  console.log(`total ${fmt((performance.now() - started) / 1000, 1)} s`);
  keepSink();
}

await main();
