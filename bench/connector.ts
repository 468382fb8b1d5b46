/**
 * Publish → receive through the connector layer, beside a raw `IggyClient` baseline in the same run, all
 * on one in-memory embedded broker:
 * - `EmbeddedConnector` (in process, no socket);
 * - `RemoteConnector` over TCP to the embedded broker's listener;
 * - `RemoteConnector` over HTTP (`protocol: 'http'`) to the embedded broker's Iggy HTTP API; the last
 *   line gives its ratio to the TCP `RemoteConnector` of the same run;
 * - raw `IggyClient`: `sendMessages` + `pollMessages` on the same TCP port (the floor any TCP client pays).
 *
 * Throughput: BATCHES of BATCH messages (PAYLOAD bytes), WINDOW batches in flight, while one subscriber
 * (single consumer, one partition) receives; messages/s = messages / (first publish → last receive).
 * Latency: open loop, one message every LATENCY_GAP_MS (a sequence number in its payload), from the
 * publish call to the subscriber's `recv`; the subscriber polls every POLL_MS when idle (Iggy has no long
 * poll), so about half that interval is part of the latency. (A closed loop, publish-after-receive, would
 * measure a race between the next publish and the subscriber's next poll instead.)
 *
 * Run: `npm run bench:connector`. Bounded: each case stops after its message count or its time budget.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { IggyClient } from '../lib/client/iggy-client.js';
import { resolveConnectorConfig } from '../lib/connectors/connector-config.js';
import { EmbeddedConnector } from '../lib/connectors/embedded-connector.js';
import type { IggyConnector } from '../lib/connectors/iggy-connector.js';
import { PublishRequest } from '../lib/connectors/publish-request.js';
import { RemoteConnector } from '../lib/connectors/remote-connector.js';
import { Partitioning } from '../lib/protocol/primitives/partitioning.js';
import { PollingStrategy } from '../lib/protocol/primitives/polling-strategy.js';
import { ConsumerKind } from '../lib/protocol/primitives/consumer.js';

const PAYLOAD = 256;
const BATCH = 100;
const BATCHES = 200;
const ROUNDS = 3;
const WINDOW = 8;
const THROUGHPUT_BUDGET_MS = 4_000;
const LATENCY_SAMPLES = 750;
const LATENCY_BUDGET_MS = 3_000;
const LATENCY_GAP_MS = 2;
const POLL_MS = Number(process.env.BENCH_POLL_MS ?? 1);
const KEY = 'tenant-1';

/** What a case does: publish a batch, and a receive loop that reports every message it gets. */
interface Path {
  name: string;
  /** Publishes `count` messages; with `seq`, one message carrying it. */
  publish(count: number, seq?: number): Promise<void>;
  /** Starts receiving; `onMessage` gets each message's payload. */
  receive(onMessage: (payload: Buffer) => void): void;
  stop(): Promise<void>;
}

interface Result {
  name: string;
  messagesPerSec: number;
  spread: string;
  received: number;
  p50: number;
  p99: number;
  samples: number;
}

const payload = Buffer.alloc(PAYLOAD, 7);

/** A payload carrying a sequence number in its first 4 bytes. */
function numbered(seq: number): Buffer {
  const b = Buffer.alloc(PAYLOAD, 7);
  b.writeUInt32LE(seq, 0);
  return b;
}
let topicSeq = 0;

async function freshTopic(connector: IggyConnector): Promise<{ stream: string; topic: string }> {
  const stream = `bench-${++topicSeq}-${randomUUID().slice(0, 6)}`;
  await connector.ensureStream(stream);
  await connector.ensureTopic(stream, { name: 'events', partitions: 1 });
  return { stream, topic: 'events' };
}

async function connectorPath(name: string, connector: IggyConnector, admin: IggyConnector): Promise<Path> {
  const { stream, topic } = await freshTopic(admin);
  const subscriber = await connector.subscribe(stream, topic, 0, {
    startFrom: 'end',
    pollIntervalMs: POLL_MS,
    batchSize: 1000,
    consumerName: 'bench',
  });
  let running = true;
  return {
    name,
    publish: (count, seq) =>
      seq === undefined
        ? connector.publishBatch(
            Array.from({ length: count }, () =>
              PublishRequest.new(stream, topic, KEY, payload, randomUUID()),
            ),
          )
        : connector.publish(PublishRequest.new(stream, topic, KEY, numbered(seq), randomUUID())),
    receive(onMessage) {
      void (async () => {
        while (running) {
          const message = await subscriber.recv();
          if (!message) return;
          onMessage(message.payload);
        }
      })();
    },
    async stop() {
      running = false;
      await subscriber.close();
    },
  };
}

async function rawPath(port: number, admin: IggyConnector): Promise<Path> {
  const { stream, topic } = await freshTopic(admin);
  const options = { addresses: [`127.0.0.1:${port}`], credentials: { username: 'iggy', password: 'iggy' } };
  const producer = new IggyClient(options);
  const consumer = new IggyClient(options);
  await Promise.all([producer.connect(), consumer.connect()]);
  let running = true;
  return {
    name: 'raw IggyClient (send + poll)',
    publish: (count, seq) =>
      producer.sendMessages({
        streamId: stream,
        topicId: topic,
        partitioning: Partitioning.messagesKey(KEY),
        messages:
          seq === undefined
            ? Array.from({ length: count }, () => ({ payload }))
            : [{ payload: numbered(seq) }],
      }),
    receive(onMessage) {
      void (async () => {
        let next = 0n;
        while (running) {
          const result = await consumer.pollMessages({
            consumer: { kind: ConsumerKind.Consumer, id: 'bench' },
            streamId: stream,
            topicId: topic,
            partitionId: 0,
            strategy: PollingStrategy.offset(next),
            count: 1000,
          });
          if (result.messages.length === 0) {
            await new Promise((resolve) => setTimeout(resolve, POLL_MS));
            continue;
          }
          for (const m of result.messages) onMessage(m.payload);
          next = result.messages.at(-1)!.offset + 1n;
        }
      })().catch(() => undefined);
    },
    async stop() {
      running = false;
      await Promise.all([producer.close(), consumer.close()]);
    },
  };
}

/** Throughput: windowed batch publishes while the receiver counts. */
async function throughput(path: Path): Promise<{ perSec: number; received: number }> {
  const total = BATCH * BATCHES;
  let received = 0;
  let lastAt = 0;
  let done!: () => void;
  const all = new Promise<void>((resolve) => (done = resolve));
  path.receive(() => {
    received++;
    lastAt = performance.now();
    if (received >= total) done();
  });
  const start = performance.now();
  const deadline = start + THROUGHPUT_BUDGET_MS;
  let sent = 0;
  const inFlight = new Set<Promise<void>>();
  while (sent < BATCHES && performance.now() < deadline) {
    const p = path.publish(BATCH).finally(() => inFlight.delete(p));
    inFlight.add(p);
    sent++;
    if (inFlight.size >= WINDOW) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  const budgetLeft = Math.max(0, deadline - performance.now()) + 1_000;
  await Promise.race([all, new Promise((resolve) => setTimeout(resolve, budgetLeft))]);
  return { perSec: received / ((lastAt - start) / 1000), received };
}

/** Latency: open loop, one message every LATENCY_GAP_MS, publish call → receive of that message. */
async function latency(path: Path): Promise<number[]> {
  const sentAt: number[] = [];
  const samples: number[] = [];
  path.receive((p) => {
    const at = sentAt[p.readUInt32LE(0)];
    if (at !== undefined) samples.push(performance.now() - at);
  });
  const end = performance.now() + LATENCY_BUDGET_MS;
  const publishes: Promise<void>[] = [];
  for (let seq = 0; seq < LATENCY_SAMPLES && performance.now() < end; seq++) {
    sentAt[seq] = performance.now();
    publishes.push(path.publish(1, seq));
    await new Promise((resolve) => setTimeout(resolve, LATENCY_GAP_MS));
  }
  await Promise.all(publishes);
  const waitUntil = performance.now() + 1_000;
  while (samples.length < sentAt.length && performance.now() < waitUntil) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return samples.sort((a, b) => a - b);
}

const pct = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

interface Case {
  make: () => Promise<Path>;
  rates: number[];
  received: number;
  latencies: number[];
  name: string;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[values.length >> 1] ?? NaN;

/** Throughput rounds interleaved across the cases (a shared machine drifts), then one latency run each. */
async function measureAll(cases: Case[]): Promise<void> {
  for (let round = 0; round < ROUNDS; round++) {
    for (const c of cases) {
      const path = await c.make();
      c.name = path.name;
      const t = await throughput(path);
      await path.stop();
      c.rates.push(t.perSec);
      c.received = Math.min(c.received, t.received);
    }
  }
  for (const c of cases) {
    const path = await c.make();
    c.latencies = await latency(path);
    await path.stop();
  }
}

const fmt = (n: number, digits = 0): string =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

async function main(): Promise<void> {
  const embedded = new EmbeddedConnector();
  await embedded.connect(
    resolveConnectorConfig({
      embedded: { persistent: false, tcpPort: 0, httpPort: 0, rootPassword: 'iggy' },
    }),
  );
  const port = embedded.tcpPort!;
  const remote = new RemoteConnector();
  await remote.connect(
    resolveConnectorConfig({ mode: 'remote', remote: { addresses: [`127.0.0.1:${port}`] } }),
  );
  const overHttp = new RemoteConnector();
  await overHttp.connect(
    resolveConnectorConfig({
      mode: 'remote',
      remote: { protocol: 'http', addresses: [`127.0.0.1:${embedded.httpPort}`] },
    }),
  );

  console.log(
    `connector bench: ${ROUNDS} rounds of ${fmt(BATCH * BATCHES)} × ${PAYLOAD} B (batches of ${BATCH}, ${WINDOW} in flight), ` +
      `latency over ≤ ${fmt(LATENCY_SAMPLES)} messages, one every ${LATENCY_GAP_MS} ms, idle poll every ${POLL_MS} ms; ` +
      `node ${process.version}`,
  );
  const newCase = (make: () => Promise<Path>): Case => ({
    make,
    rates: [],
    received: Infinity,
    latencies: [],
    name: '',
  });
  const cases = [
    newCase(() => rawPath(port, embedded)),
    newCase(() => connectorPath('EmbeddedConnector (in process)', embedded, embedded)),
    newCase(() => connectorPath('RemoteConnector → embedded (TCP)', remote, embedded)),
    newCase(() => connectorPath('RemoteConnector → embedded (HTTP)', overHttp, embedded)),
  ];
  // A real server too, when given: IGGY_SERVER_ADDR (TCP) and IGGY_SERVER_HTTP_ADDR (its HTTP API).
  const realTcp = process.env.IGGY_SERVER_ADDR;
  const realHttp = process.env.IGGY_SERVER_HTTP_ADDR;
  const real: RemoteConnector[] = [];
  if (realTcp && realHttp) {
    for (const [protocol, address] of [
      ['tcp', realTcp],
      ['http', realHttp],
    ] as const) {
      const connector = new RemoteConnector();
      await connector.connect(
        resolveConnectorConfig({ mode: 'remote', remote: { protocol, addresses: [address] } }),
      );
      real.push(connector);
    }
    cases.push(newCase(() => connectorPath(`RemoteConnector → real (TCP)`, real[0]!, real[0]!)));
    cases.push(newCase(() => connectorPath(`RemoteConnector → real (HTTP)`, real[1]!, real[0]!)));
  }
  await measureAll(cases);
  for (const connector of real) await connector.shutdown();
  await overHttp.shutdown();
  await remote.shutdown();
  await embedded.shutdown();

  const results: Result[] = cases.map((c) => ({
    name: c.name,
    messagesPerSec: median(c.rates),
    spread: `${fmt(Math.min(...c.rates) / 1000)}–${fmt(Math.max(...c.rates) / 1000)}k`,
    received: c.received,
    p50: pct(c.latencies, 50),
    p99: pct(c.latencies, 99),
    samples: c.latencies.length,
  }));
  const base = results[0]!;
  console.log(
    [
      'path'.padEnd(34),
      'msg/s (median)'.padStart(14),
      'rounds'.padStart(11),
      '× raw'.padStart(6),
      'p50 ms'.padStart(7),
      'p99 ms'.padStart(7),
      'p50 × raw'.padStart(9),
      'samples',
    ].join(' '),
  );
  for (const r of results) {
    const short = r.received < BATCH * BATCHES ? ` (only ${fmt(r.received)} received in budget)` : '';
    console.log(
      [
        r.name.padEnd(34),
        fmt(r.messagesPerSec).padStart(14),
        r.spread.padStart(11),
        fmt(r.messagesPerSec / base.messagesPerSec, 2).padStart(6),
        fmt(r.p50, 2).padStart(7),
        fmt(r.p99, 2).padStart(7),
        fmt(r.p50 / base.p50, 2).padStart(9),
        `${r.samples}${short}`,
      ].join(' '),
    );
  }
  const ratio = (target: string, tcp: Result, http: Result) =>
    console.log(
      `HTTP against TCP (RemoteConnector → ${target}, same run): ${fmt(http.messagesPerSec / tcp.messagesPerSec, 2)}× ` +
        `the throughput, p50 latency ${fmt(http.p50 / tcp.p50, 2)}×`,
    );
  ratio('embedded', results[2]!, results[3]!);
  if (results.length > 5) ratio('real server', results[4]!, results[5]!);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
