/**
 * A fixed load on the embedded broker for counting syscalls: `--messages` messages of 200 B sent through
 * `Broker.sendMessages` in process, `--batch` messages per send, `--depth` sends in flight, while a
 * consumer polls them back (1,000 per poll) and stores its offset after each poll, as an at-least-once
 * consumer does. Prints what it did and how long it took; the figures to compare are the syscall counts:
 *
 *   npm run build && strace -f -c -e trace=pwrite64,write,writev,pwritev,fdatasync,fsync,pread64,openat,rename \
 *     node dist/bench/broker-append-load.js --batch 1
 *
 * Options: `--messages 30000`, `--batch 1`, `--depth 256`, `--fsync interval|always|never` (default
 * `interval`, the broker's default: an fsync a second), `--no-consumer`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Broker, ConsumerKind, Transport, type BrokerSession, type FsyncMode } from '../lib/broker/index.js';
import { encodeMessages } from '../lib/protocol/messages/message-batch.js';
import { Partitioning } from '../lib/protocol/primitives/partitioning.js';
import { PollingStrategy } from '../lib/protocol/primitives/polling-strategy.js';
import { fmt } from './support/measure.js';
import { MessageRun } from '../lib/protocol/messages/message-run.js';

const STREAM = 'load';
const TOPIC = 'events';
const PAYLOAD_BYTES = 200;
const POLL_COUNT = 1000;

interface Options {
  messages: number;
  batch: number;
  depth: number;
  fsync: FsyncMode;
  consumer: boolean;
}

function parse(argv: string[]): Options {
  const value = (name: string, fallback: string): string => {
    const at = argv.indexOf(`--${name}`);
    return at >= 0 && argv[at + 1] !== undefined ? argv[at + 1]! : fallback;
  };
  const fsync = value('fsync', 'interval');
  return {
    messages: Number(value('messages', '30000')),
    batch: Number(value('batch', '1')),
    depth: Number(value('depth', '256')),
    fsync:
      fsync === 'always'
        ? { kind: 'always' }
        : fsync === 'never'
          ? { kind: 'never' }
          : { kind: 'interval', ms: 1000 },
    consumer: !argv.includes('--no-consumer'),
  };
}

/** Every send's bytes, encoded up front (a send stamps its buffer in place, so each needs its own). */
function encodeSends(options: Options): Buffer[] {
  const sends: Buffer[] = [];
  for (let sent = 0; sent < options.messages; sent += options.batch) {
    const count = Math.min(options.batch, options.messages - sent);
    sends.push(
      encodeMessages(
        Array.from({ length: count }, (_, i) => ({
          payload: Buffer.alloc(PAYLOAD_BYTES, (sent + i) & 0xff),
        })),
      ),
    );
  }
  return sends;
}

async function produce(session: BrokerSession, sends: Buffer[], options: Options): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < sends.length) {
      const bytes = sends[next++]!;
      const count = Math.min(options.batch, options.messages - (next - 1) * options.batch);
      await session.sendMessages({
        streamId: STREAM,
        topicId: TOPIC,
        partitioning: Partitioning.partitionId(0),
        messages: new MessageRun(bytes, count),
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.depth, sends.length) }, lane));
}

/** Polls until every message was read, storing the offset after each non-empty poll; returns the polls made. */
async function consume(session: BrokerSession, total: number): Promise<number> {
  let read = 0;
  let polls = 0;
  let wake: (() => void) | null = null;
  const stop = session.onAppend({ streamId: STREAM, topicId: TOPIC }, () => wake?.());
  try {
    while (read < total) {
      const result = await session.pollMessagesRun({
        streamId: STREAM,
        topicId: TOPIC,
        consumer: { kind: ConsumerKind.Consumer, id: 1 },
        partitionId: 0,
        strategy: PollingStrategy.next(),
        count: POLL_COUNT,
        autoCommit: false,
      });
      polls++;
      if (result.messages.count === 0) {
        await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
        continue;
      }
      read += result.messages.count;
      await session.storeOffset({
        streamId: STREAM,
        topicId: TOPIC,
        consumer: { kind: ConsumerKind.Consumer, id: 1 },
        partitionId: 0,
        offset: BigInt(read - 1),
      });
    }
  } finally {
    stop();
  }
  return polls;
}

async function main(): Promise<void> {
  const options = parse(process.argv.slice(2));
  const dataDir = await mkdtemp(join(tmpdir(), 'iggy-append-load-'));
  const broker = await Broker.open({
    dataDir,
    fsync: options.fsync,
    retentionIntervalMs: 0,
    rootPassword: 'iggy',
  });
  try {
    const session = broker.connect(Transport.Tcp, 'load');
    await session.login('iggy', 'iggy');
    await session.createStream({ name: STREAM });
    await session.createTopic({ streamId: STREAM, name: TOPIC, partitionsCount: 1 });
    const sends = encodeSends(options);
    const started = performance.now();
    const [, polls] = await Promise.all([
      produce(session, sends, options),
      options.consumer ? consume(session, options.messages) : Promise.resolve(0),
    ]);
    const ms = performance.now() - started;
    console.log(
      `${fmt(options.messages)} messages of ${PAYLOAD_BYTES} B in ${fmt(sends.length)} sends of ${options.batch}, ` +
        `${options.depth} in flight, fsync ${options.fsync.kind}` +
        (options.consumer ? `, consumed in ${fmt(polls)} polls with an offset stored after each` : '') +
        `: ${fmt(ms)} ms, ${fmt(options.messages / (ms / 1000))} msg/s`,
    );
  } finally {
    await broker.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
