/**
 * `emit` → handler through the Nest layer, beside the same handler driven by the connector directly,
 * in one run:
 * - Nest: `IggyModule` + `IggyClientProxy.emit` → `@IggyEventHandler` (consumer group, ordered partition
 *   lanes, DLQ interceptor, idempotency guard, commits every 20 messages of a partition);
 * - connector: `connector.publish(envelope)` → `subscribeGroup` → the handler → `commit` every 20 messages
 *   of a partition (the same JSON envelopes; no Nest).
 * Each on the embedded default (in process, in memory) and over TCP to the embedded broker run as a child
 * process (`iggy-embedded --in-memory`).
 *
 * Throughput: EVENTS events, WINDOW emits in flight, over TENANTS tenants (8 partitions); events/s = events
 * / (first emit → last handler entry). Latency: open loop, one emit every GAP_MS, from the emit call to
 * the handler's entry. In process a subscription is woken by the broker's append; over TCP (Iggy has no
 * long poll) it polls 1 ms after a poll that returned messages, doubling up to 50 ms while idle, so part of
 * that wait is in the TCP latency of both drives.
 *
 * Run: `npm run bench:nest` (about a minute).
 */
import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { lastValueFrom } from 'rxjs';
import { EmbeddedConnector } from '../lib/connectors/embedded-connector.js';
import { resolveConnectorConfig, type ConnectorConfigInput } from '../lib/connectors/connector-config.js';
import type { IggyConnector } from '../lib/connectors/iggy-connector.js';
import type { ReceivedMessage } from '../lib/connectors/message-subscriber.js';
import { RemoteConnector } from '../lib/connectors/remote-connector.js';
import { envelopeToMessage, messageToEnvelope } from '../lib/events/envelope-message.js';
import { createEnvelope, type EventEnvelope } from '../lib/events/event-envelope.js';
import { JsonSerializer } from '../lib/events/json-serializer.js';
import { IggyEventHandler } from '../lib/handlers/iggy-event-handler.decorator.js';
import { IggyModule } from '../lib/module/iggy.module.js';
import type { IggyModuleOptions } from '../lib/module/interfaces/iggy-module-options.interface.js';
import { IggyClientProxy } from '../lib/transport/iggy.client-proxy.js';
import { fmt } from './support/measure.js';

const EVENTS = 20_000;
const WARMUP_EVENTS = 2_000;
const WINDOW = 128;
const BUDGET_MS = 8_000;
const LATENCY_SAMPLES = 300;
const GAP_MS = 5;
const PARTITIONS = 8;
const TENANTS = Array.from({ length: 16 }, (_, i) => `tenant-${i}`);
const COMMIT_EVERY = 20;

interface Tick {
  tenantId: string;
  seq: number;
  /** `performance.now()` at the emit call. */
  sentAt: number;
}

/** Where the handler reports: a count to wait for, and latencies while sampling. */
class Probe {
  count = 0;
  latencies: number[] | null = null;
  private waiter: { n: number; resolve: () => void } | undefined;

  hit(tick: Tick): void {
    this.latencies?.push(performance.now() - tick.sentAt);
    if (++this.count >= (this.waiter?.n ?? Infinity)) this.waiter!.resolve();
  }

  /** Resolves once `n` events were handled (rejects after `ms`). */
  reach(n: number, ms = 60_000): Promise<void> {
    if (this.count >= n) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${this.count} of ${n} events handled`)), ms);
      this.waiter = { n, resolve: () => (clearTimeout(timer), resolve()) };
    });
  }
}

let probe = new Probe();

/** The handler under test, the same for both drives. */
function handle(envelope: EventEnvelope<Tick>): void {
  probe.hit(envelope.payload);
}

@Injectable()
class BenchHandler {
  @IggyEventHandler('bench.tick', { group: 'bench' })
  on(envelope: EventEnvelope<Tick>): void {
    handle(envelope);
  }
}

interface Drive {
  name: string;
  emit(tick: Tick): Promise<void>;
  stop(): Promise<void>;
}

async function nestDrive(name: string, options: IggyModuleOptions): Promise<Drive> {
  @Module({
    imports: [IggyModule.forRoot({ partitions: PARTITIONS, ...options })],
    providers: [BenchHandler],
  })
  class BenchModule {}
  const app = await NestFactory.createApplicationContext(BenchModule, { logger: false });
  await app.init();
  const client = app.get(IggyClientProxy);
  return {
    name,
    emit: (tick) => lastValueFrom(client.emit('bench.tick', tick), { defaultValue: undefined }),
    stop: () => app.close(),
  };
}

async function connectorDrive(
  name: string,
  connector: IggyConnector,
  config: ConnectorConfigInput,
): Promise<Drive> {
  await connector.connect(resolveConnectorConfig({ partitions: PARTITIONS, ...config }));
  const stream = connector.config!.streamName;
  await connector.ensureStream(stream);
  await connector.ensureTopic(stream, { name: 'domain', partitions: PARTITIONS });
  const serializer = new JsonSerializer();
  const subscriber = await connector.subscribeGroup(stream, 'domain', 'bench');
  const loop = (async () => {
    const handled = new Map<number, number>();
    const last = new Map<number, ReceivedMessage>();
    for (let m = await subscriber.recv(); m !== null; m = await subscriber.recv()) {
      handle(messageToEnvelope<Tick>(m, serializer));
      const n = (handled.get(m.partition) ?? 0) + 1;
      handled.set(m.partition, n);
      last.set(m.partition, m);
      if (n % COMMIT_EVERY === 0) await subscriber.commit(m);
    }
    return last;
  })();
  return {
    name,
    emit: (tick) =>
      connector.publish(
        envelopeToMessage(
          createEnvelope({ tenantId: tick.tenantId, type: 'bench.tick', payload: tick }),
          serializer,
          {
            stream,
            topic: 'domain',
          },
        ),
      ),
    stop: async () => {
      await subscriber.close();
      await loop;
      await connector.shutdown();
    },
  };
}

/** Emits `events` ticks, `WINDOW` at a time; events/s from the first emit to the last handler entry. */
async function throughput(drive: Drive, events: number): Promise<{ perSec: number; events: number }> {
  probe = new Probe();
  const start = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < events && performance.now() - start < BUDGET_MS) {
      const seq = next++;
      await drive.emit({ tenantId: TENANTS[seq % TENANTS.length]!, seq, sentAt: performance.now() });
    }
  };
  await Promise.all(Array.from({ length: WINDOW }, worker));
  await probe.reach(next);
  return { perSec: (next / (performance.now() - start)) * 1000, events: next };
}

/** Open loop: one emit every GAP_MS; percentiles of emit call → handler entry. */
async function latency(drive: Drive): Promise<{ p50: number; p99: number }> {
  probe = new Probe();
  probe.latencies = [];
  for (let seq = 0; seq < LATENCY_SAMPLES; seq++) {
    void drive.emit({ tenantId: TENANTS[seq % TENANTS.length]!, seq, sentAt: performance.now() });
    await new Promise((r) => setTimeout(r, GAP_MS));
  }
  await probe.reach(LATENCY_SAMPLES);
  const sorted = [...probe.latencies].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { p50: at(0.5), p99: at(0.99) };
}

/** `iggy-embedded --in-memory` on a free port, in a child process. */
async function startBroker(): Promise<{ port: number; child: ChildProcess }> {
  const cli = new URL('../lib/cli/iggy-embedded.js', import.meta.url).pathname;
  const child = spawn(process.execPath, [cli, '--in-memory', '--tcp-port', '0', '--no-http'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /TCP listening on [^\s]+:(\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`iggy-embedded exited (${code}) before listening`)));
  });
  return { port, child };
}

interface Row {
  name: string;
  perSec: number;
  events: number;
  p50: number;
  p99: number;
}

async function run(make: () => Promise<Drive>): Promise<Row> {
  const drive = await make();
  try {
    await throughput(drive, WARMUP_EVENTS);
    const { perSec, events } = await throughput(drive, EVENTS);
    const { p50, p99 } = await latency(drive);
    return { name: drive.name, perSec, events, p50, p99 };
  } finally {
    await drive.stop();
  }
}

async function main(): Promise<void> {
  const memory = { persistent: false, tcpPort: null, httpPort: null };
  const broker = await startBroker();
  const remote = (stream: string): IggyModuleOptions => ({
    mode: 'remote',
    streamName: stream,
    remote: { addresses: [`127.0.0.1:${broker.port}`] },
  });
  const rows: Row[] = [];
  try {
    rows.push(
      await run(() =>
        connectorDrive('connector, embedded', new EmbeddedConnector(), {
          embedded: memory,
          streamName: 'c-emb',
        }),
      ),
    );
    rows.push(await run(() => nestDrive('Nest, embedded', { embedded: memory, streamName: 'n-emb' })));
    rows.push(await run(() => connectorDrive('connector, TCP', new RemoteConnector(), remote('c-tcp'))));
    rows.push(await run(() => nestDrive('Nest, TCP', remote('n-tcp'))));
  } finally {
    broker.child.kill('SIGTERM');
  }
  console.log(
    `emit → handler: ${PARTITIONS} partitions, ${TENANTS.length} tenants, JSON envelopes, ${WINDOW} emits in flight`,
  );
  console.log(
    `${'case'.padEnd(22)}${'events/s'.padStart(12)}${'events'.padStart(9)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}`,
  );
  for (const r of rows) {
    console.log(
      `${r.name.padEnd(22)}${fmt(r.perSec).padStart(12)}${fmt(r.events).padStart(9)}${fmt(r.p50, 1).padStart(9)}${fmt(r.p99, 1).padStart(9)}`,
    );
  }
  for (const [base, nest] of [
    [rows[0]!, rows[1]!],
    [rows[2]!, rows[3]!],
  ] as const) {
    console.log(
      `${nest.name} / ${base.name}: throughput ×${fmt(nest.perSec / base.perSec, 2)}, ` +
        `p50 ×${fmt(nest.p50 / base.p50, 2)}, p99 ×${fmt(nest.p99 / base.p99, 2)}`,
    );
  }
}

await main();
