/**
 * The producer side alone (no handler): `IggyClientProxy.emit` of 200-byte events over 16 tenants
 * (8 partitions), beside the floor measured in the same run: the same messages (the envelopes `emit`
 * would publish) batched by hand, 1,000 per partition, through the embedded broker's own API (in
 * process) or `IggyClient.sendMessages` (remote).
 *
 * Modes: embedded default (persistent, default fsync, in process); remote → `iggy-embedded` run as its
 * own process (persistent); remote → a real `iggy-server` when `IGGY_SERVER_BIN` names its binary (or
 * /work/iggy-bin/iggy-server-0.7.0 exists), started the same way.
 * Shapes: `burst` fires EVENTS emits without awaiting any, then waits for all (events/s = events / first
 * emit → last acknowledgement); `burst-200k` fires 200,000, awaiting every 1,000th, for the RSS peak;
 * `burst-200k-all` (only when asked for) fires 200,000 without awaiting any.
 * Each case runs in a child process of its own, so its RSS peak (`maxRSS`) is its own.
 *
 * Run: `npm run bench:producer` (`BENCH_SHAPES=burst` for the short one only).
 */
import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Broker } from '../lib/broker/broker.js';
import { IggyClient } from '../lib/client/iggy-client.js';
import { calculatePartition } from '../lib/connectors/calculate-partition.js';
import { resolveConnectorConfig, type ConnectorConfigInput } from '../lib/connectors/connector-config.js';
import { EmbeddedConnector } from '../lib/connectors/embedded-connector.js';
import type { IggyConnector } from '../lib/connectors/iggy-connector.js';
import { toOutgoingMessage } from '../lib/connectors/publish-grouping.js';
import { RemoteConnector } from '../lib/connectors/remote-connector.js';
import { envelopeToMessage } from '../lib/events/envelope-message.js';
import { createEnvelope } from '../lib/events/event-envelope.js';
import { JsonSerializer } from '../lib/events/json-serializer.js';
import type { OutgoingMessage } from '../lib/protocol/messages/message-batch.js';
import { Transport } from '../lib/protocol/commands/clients/client.layout.js';
import { Partitioning } from '../lib/protocol/primitives/partitioning.js';
import { IggyClientProxy } from '../lib/transport/iggy.client-proxy.js';
import {
  isUnavailable,
  startIggyEmbedded,
  startIggyServer,
  type BrokerProcess,
  type Started,
} from './support/broker-processes.js';
import { fmt } from './support/measure.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 20_000);
const BIG_BURST = 200_000;
const AWAIT_EVERY = 1_000;
const RAW_WINDOW = 32;
const WARMUP = 1_000;
const PARTITIONS = 8;
const TENANTS = Array.from({ length: 16 }, (_, i) => `tenant-${i}`);
const STREAM = 'bench';
const TOPIC = 'domain';
const PAD = 'x'.repeat(150);
const REAL_SERVER = process.env.IGGY_SERVER_BIN ?? '/work/iggy-bin/iggy-server-0.7.0';
const IGGY_CLI = new URL('../lib/cli/iggy-embedded.js', import.meta.url).pathname;

type Mode = 'embedded' | 'remote-embedded' | 'remote-server';
type Driver = 'emit' | 'raw';
type Shape = 'burst' | 'burst-200k' | 'burst-200k-all';

interface CaseResult {
  eventsPerSec: number;
  rssPeakMb: number;
  brokerRssPeakMb: number | null;
}

/** The event data of one emit: about 200 bytes of JSON. */
function eventData(seq: number): { tenantId: string; seq: number; pad: string } {
  return { tenantId: TENANTS[seq % TENANTS.length]!, seq, pad: PAD };
}

/** What `emit` publishes for `seq`, as a message, and its partition. */
function rawMessage(seq: number): { message: OutgoingMessage; partition: number } {
  const data = eventData(seq);
  const envelope = createEnvelope({ tenantId: data.tenantId, type: 'bench.tick', payload: data });
  const request = envelopeToMessage(envelope, new JsonSerializer(), { stream: STREAM, topic: TOPIC });
  return {
    message: toOutgoingMessage(request),
    partition: calculatePartition(data.tenantId, PARTITIONS),
  };
}

/** Fires `count` emits from `from`, awaiting every `awaitEvery`th (0 = none); resolves when all are acknowledged. */
async function emitBurst(proxy: IggyClientProxy, from: number, count: number, awaitEvery: number) {
  let failed: unknown;
  let left = count;
  let allDone!: () => void;
  const done = new Promise<void>((resolve) => (allDone = resolve));
  const observer = {
    complete: () => {
      if (--left === 0) allDone();
    },
    error: (err: unknown) => {
      failed ??= err;
      if (--left === 0) allDone();
    },
  };
  for (let i = 0; i < count; i++) {
    const observable = proxy.emit('bench.tick', eventData(from + i));
    if (awaitEvery > 0 && (i + 1) % awaitEvery === 0) {
      await new Promise<void>((resolve) =>
        observable.subscribe({
          complete: () => (observer.complete(), resolve()),
          error: (err: unknown) => (observer.error(err), resolve()),
        }),
      );
    } else observable.subscribe(observer);
  }
  await done;
  if (failed) throw failed;
}

/** Sends `count` messages from `from`, batched by hand: up to 1,000 per partition and request, 32 requests in flight. */
async function rawBurst(
  send: (partition: number, messages: OutgoingMessage[]) => Promise<unknown>,
  from: number,
  count: number,
): Promise<void> {
  const inFlight = new Set<Promise<unknown>>();
  for (let start = 0; start < count; start += AWAIT_EVERY) {
    const byPartition = new Map<number, OutgoingMessage[]>();
    for (let i = start; i < Math.min(count, start + AWAIT_EVERY); i++) {
      const { message, partition } = rawMessage(from + i);
      const list = byPartition.get(partition) ?? [];
      list.push(message);
      byPartition.set(partition, list);
    }
    for (const [partition, messages] of byPartition) {
      const sent: Promise<unknown> = send(partition, messages).finally(() => inFlight.delete(sent));
      inFlight.add(sent);
    }
    while (inFlight.size >= RAW_WINDOW) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
}

async function connectorFor(mode: Mode, address: string | undefined, dataDir: string) {
  const input: ConnectorConfigInput =
    mode === 'embedded'
      ? { embedded: { dataDir, tcpPort: null, httpPort: null, rootPassword: 'iggy' } }
      : { mode: 'remote', remote: { addresses: [address!] } };
  const connector: IggyConnector = mode === 'embedded' ? new EmbeddedConnector() : new RemoteConnector();
  await connector.connect(resolveConnectorConfig({ ...input, streamName: STREAM, topicName: TOPIC }));
  await connector.ensureStream(STREAM);
  await connector.ensureTopic(STREAM, { name: TOPIC, partitions: PARTITIONS });
  return connector;
}

/** One case, in this (child) process. */
async function runCase(mode: Mode, driver: Driver, shape: Shape, address?: string): Promise<CaseResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-producer-'));
  const connector = await connectorFor(mode, address, dataDir);
  const [count, awaitEvery] =
    shape === 'burst' ? [EVENTS, 0] : shape === 'burst-200k' ? [BIG_BURST, AWAIT_EVERY] : [BIG_BURST, 0];
  let run: (from: number, n: number) => Promise<void>;
  let close: () => Promise<void> = async () => undefined;
  if (driver === 'emit') {
    const proxy = new IggyClientProxy({ connector });
    await proxy.connect();
    run = (from, n) => emitBurst(proxy, from, n, awaitEvery);
  } else if (mode === 'embedded') {
    const broker = (connector as EmbeddedConnector).broker as Broker;
    const session = broker.connect(Transport.Tcp, 'bench-raw');
    await session.login('iggy', 'iggy');
    run = (from, n) =>
      rawBurst(
        (partition, messages) =>
          session.sendMessages({
            streamId: STREAM,
            topicId: TOPIC,
            partitioning: Partitioning.partitionId(partition),
            messages,
          }),
        from,
        n,
      );
  } else {
    const client = new IggyClient({
      addresses: [address!],
      credentials: { username: 'iggy', password: 'iggy' },
    });
    await client.connect();
    close = () => client.close();
    run = (from, n) =>
      rawBurst(
        (partition, messages) =>
          client.sendMessages({
            streamId: STREAM,
            topicId: TOPIC,
            partitioning: Partitioning.partitionId(partition),
            messages,
          }),
        from,
        n,
      );
  }
  await run(0, WARMUP);
  const start = performance.now();
  await run(WARMUP, count);
  const seconds = (performance.now() - start) / 1000;
  const rssPeakMb = process.resourceUsage().maxRSS / 1024;
  await close();
  await connector.shutdown();
  rmSync(dataDir, { recursive: true, force: true });
  return { eventsPerSec: count / seconds, rssPeakMb, brokerRssPeakMb: null };
}

/** Runs one case in a child process (with its own broker process for the remote modes). */
async function inChild(mode: Mode, driver: Driver, shape: Shape): Promise<CaseResult | string> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-producer-broker-'));
  let broker: BrokerProcess | undefined;
  try {
    let started: Started | undefined;
    if (mode === 'remote-embedded') started = await startIggyEmbedded(IGGY_CLI, dataDir);
    if (mode === 'remote-server') started = await startIggyServer(REAL_SERVER, dataDir);
    if (started && isUnavailable(started)) return `failed: ${started.skipped}`;
    broker = started;
    const args = [process.argv[1]!, '--case', mode, driver, shape, broker?.address ?? ''];
    const out = execFileSync(process.execPath, args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const result = JSON.parse(out.trim().split('\n').at(-1)!) as CaseResult;
    const brokerRss = broker?.peakRssBytes();
    result.brokerRssPeakMb = brokerRss === undefined ? null : brokerRss / 1024 / 1024;
    return result;
  } catch (err) {
    return `failed: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`;
  } finally {
    await broker?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const shapes = (process.env.BENCH_SHAPES ?? 'burst,burst-200k').split(',') as Shape[];
  const modes: Mode[] = ['embedded', 'remote-embedded'];
  if (existsSync(REAL_SERVER)) modes.push('remote-server');
  console.log(
    `producer bench: ${fmt(EVENTS)} emits un-awaited (burst) and ${fmt(BIG_BURST)} awaiting every ` +
      `${fmt(AWAIT_EVERY)}th (burst-200k), 200 B events, ${TENANTS.length} tenants, ${PARTITIONS} partitions; ` +
      `raw = the same messages batched by hand (1,000 per partition); node ${process.version}`,
  );
  if (!modes.includes('remote-server')) console.log(`(no real server: ${REAL_SERVER} not found)`);
  console.log(
    [
      'shape'.padEnd(11),
      'mode'.padEnd(16),
      'emit ev/s'.padStart(10),
      'raw ev/s'.padStart(10),
      '× raw'.padStart(6),
      'emit RSS MB'.padStart(12),
      'raw RSS MB'.padStart(11),
      'broker RSS MB'.padStart(14),
    ].join(' '),
  );
  for (const shape of shapes) {
    for (const mode of modes) {
      const emit = await inChild(mode, 'emit', shape);
      const raw = await inChild(mode, 'raw', shape);
      if (typeof emit === 'string' || typeof raw === 'string') {
        console.log(
          `${shape.padEnd(11)} ${mode.padEnd(16)} emit ${String(typeof emit === 'string' ? emit : 'ok')}; raw ${String(typeof raw === 'string' ? raw : 'ok')}`,
        );
        continue;
      }
      console.log(
        [
          shape.padEnd(11),
          mode.padEnd(16),
          fmt(emit.eventsPerSec).padStart(10),
          fmt(raw.eventsPerSec).padStart(10),
          fmt(emit.eventsPerSec / raw.eventsPerSec, 2).padStart(6),
          fmt(emit.rssPeakMb).padStart(12),
          fmt(raw.rssPeakMb).padStart(11),
          (emit.brokerRssPeakMb === null ? '-' : fmt(emit.brokerRssPeakMb)).padStart(14),
        ].join(' '),
      );
    }
  }
}

if (process.argv[2] === '--case') {
  const [mode, driver, shape, address] = process.argv.slice(3) as [Mode, Driver, Shape, string];
  runCase(mode, driver, shape, address || undefined)
    .then((result) => {
      console.log(JSON.stringify(result));
      process.exit(0);
    })
    .catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
} else {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
