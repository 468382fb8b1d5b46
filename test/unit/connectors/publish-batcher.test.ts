import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Broker } from '../../../lib/broker/broker.js';
import { calculatePartition } from '../../../lib/connectors/calculate-partition.js';
import { resolveConnectorConfig, type PublishConfig } from '../../../lib/connectors/connector-config.js';
import { ConnectorError } from '../../../lib/connectors/connector-error.js';
import { EmbeddedConnector } from '../../../lib/connectors/embedded-connector.js';
import type { SentBatch } from '../../../lib/connectors/publish-batcher.js';
import { PublishRequest } from '../../../lib/connectors/publish-request.js';
import { RemoteConnector } from '../../../lib/connectors/remote-connector.js';
import { IggyErrorCode } from '../../../lib/protocol/codes/error-codes.js';
import { MessageRun } from '../../../lib/protocol/messages/message-run.js';
import { messageIdToUuid } from '../../../lib/protocol/messages/message-id.js';
import { ConsumerKind } from '../../../lib/protocol/primitives/consumer.js';
import { PollingStrategy } from '../../../lib/protocol/primitives/polling-strategy.js';
import { TcpProxy } from '../../support/tcp-proxy.js';
import { pollBytes } from '../broker/broker-kit.js';

/*
 * The publish path (PublishBatcher) of both connectors against the real embedded broker: the
 * EmbeddedConnector in process, and a RemoteConnector over TCP to an embedded broker's listener. Appends
 * are counted with the broker's own append signal (one per stored batch); the log is read back from it.
 */

type Connector = EmbeddedConnector | RemoteConnector;

interface Rig {
  connector: Connector;
  /** The broker the connector's messages land in. */
  broker: Broker;
  close(): Promise<void>;
}

let server: EmbeddedConnector;
let proxy: TcpProxy;

beforeAll(async () => {
  server = new EmbeddedConnector();
  await server.connect(
    resolveConnectorConfig({
      embedded: { persistent: false, tcpPort: 0, httpPort: null, rootPassword: 'iggy' },
    }),
  );
  proxy = await TcpProxy.start({ host: '127.0.0.1', port: server.tcpPort! });
});

afterAll(async () => {
  await proxy.close();
  await server.shutdown();
});

async function embeddedRig(publish: Partial<PublishConfig> = {}): Promise<Rig> {
  const connector = new EmbeddedConnector();
  await connector.connect(
    resolveConnectorConfig({ embedded: { persistent: false, tcpPort: null, httpPort: null }, publish }),
  );
  return { connector, broker: connector.broker!, close: () => connector.shutdown() };
}

async function remoteRig(publish: Partial<PublishConfig> = {}): Promise<Rig> {
  const connector = new RemoteConnector();
  await connector.connect(
    resolveConnectorConfig({
      mode: 'remote',
      remote: { addresses: [`127.0.0.1:${server.tcpPort}`] },
      publish,
    }),
  );
  return { connector, broker: server.broker!, close: () => connector.shutdown() };
}

const rigs: [string, (publish?: Partial<PublishConfig>) => Promise<Rig>][] = [
  ['EmbeddedConnector', embeddedRig],
  ['RemoteConnector → embedded broker over TCP', remoteRig],
];

async function freshTopic(
  connector: Connector,
  partitions: number,
): Promise<{ stream: string; topic: string }> {
  const stream = `batcher-${randomUUID().slice(0, 8)}`;
  await connector.ensureStream(stream);
  await connector.ensureTopic(stream, { name: 'events', partitions });
  return { stream, topic: 'events' };
}

function request(stream: string, topic: string, key: string, seq: number): PublishRequest {
  return PublishRequest.new(stream, topic, key, Buffer.from(JSON.stringify({ key, seq })), randomUUID());
}

/** Counts the broker's appends to a topic (one per stored batch). */
function countAppends(broker: Broker, stream: string, topic: string, onAppend: () => void = () => undefined) {
  const session = broker.openSession();
  const counter = { appends: 0, stop: () => undefined as void };
  const stopListening = session.onAppend({ streamId: stream, topicId: topic }, () => {
    counter.appends++;
    onAppend();
  });
  counter.stop = () => {
    stopListening();
    void session.close();
  };
  return counter;
}

/** Every message of every partition, as stored. */
function readLog(broker: Broker, stream: string, topic: string, partitions: number) {
  const reader = broker.openSession();
  return Promise.all(
    Array.from({ length: partitions }, async (_, partition) => {
      const result = await pollBytes(reader, {
        streamId: stream,
        topicId: topic,
        consumer: { kind: ConsumerKind.Consumer, id: 'reader' },
        partitionId: partition,
        strategy: PollingStrategy.offset(0n),
        count: 1_000_000,
        autoCommit: false,
      });
      return new MessageRun(result.messages, result.count).decode().map((m) => ({
        partition,
        id: messageIdToUuid(m.id),
        timestamp: m.timestamp,
        ...(JSON.parse(m.payload.toString('utf8')) as { key: string; seq: number }),
      }));
    }),
  ).finally(() => reader.close());
}

/** True when each key's sequence numbers appear in increasing order. */
function inOrderPerKey(log: { key: string; seq: number }[]): boolean {
  const last = new Map<string, number>();
  for (const { key, seq } of log) {
    if ((last.get(key) ?? -1) >= seq) return false;
    last.set(key, seq);
  }
  return true;
}

const KEYS = Array.from({ length: 16 }, (_, i) => `tenant-${i}`);

describe.each(rigs)('publish path: %s', (_name, makeRig) => {
  it('coalesces the publishes of a tick into one append per partition and keeps per-key order across waves', async () => {
    const rig = await makeRig();
    const { stream, topic } = await freshTopic(rig.connector, 4);
    const counter = countAppends(rig.broker, stream, topic);
    const waves = 5;
    const perWave = 400;
    const publishes: Promise<void>[] = [];
    let seq = 0;
    for (let wave = 0; wave < waves; wave++) {
      // a wave in one tick, the next while the earlier ones are still in flight
      for (let i = 0; i < perWave; i++, seq++) {
        publishes.push(rig.connector.publish(request(stream, topic, KEYS[seq % KEYS.length]!, seq)));
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(publishes);
    counter.stop();
    const log = (await readLog(rig.broker, stream, topic, 4)).flat();
    expect(log).toHaveLength(waves * perWave);
    expect(inOrderPerKey(log)).toBe(true);
    for (const m of log) expect(m.partition).toBe(calculatePartition(m.key, 4));
    // 16 keys over 4 partitions: each wave is one batch per partition, after at most one publish sent
    // alone (the path was idle when the wave began)
    expect(counter.appends).toBeGreaterThanOrEqual(waves * 4);
    expect(counter.appends).toBeLessThanOrEqual(waves * 5);
    await rig.close();
  });

  it('cuts batches at maxBatchMessages and keeps the order inside and across them', async () => {
    const rig = await makeRig({ maxBatchMessages: 30 });
    const { stream, topic } = await freshTopic(rig.connector, 2);
    const counter = countAppends(rig.broker, stream, topic);
    const requests = Array.from({ length: 200 }, (_, i) => request(stream, topic, KEYS[i % 4]!, i));
    await Promise.all([
      rig.connector.publishBatch(requests.slice(0, 120)),
      ...requests.slice(120).map((r) => rig.connector.publish(r)),
    ]);
    counter.stop();
    const perPartition = await readLog(rig.broker, stream, topic, 2);
    const log = perPartition.flat();
    expect(log.map((m) => m.seq).sort((a, b) => a - b)).toEqual(requests.map((_, i) => i));
    expect(inOrderPerKey(log)).toBe(true);
    // the first call goes at once (the path was idle), the rest in the next tick: per partition at
    // most one batch more than the fewest possible
    const fewest = perPartition.reduce((n, p) => n + Math.ceil(p.length / 30), 0);
    expect(counter.appends).toBeGreaterThanOrEqual(fewest);
    expect(counter.appends).toBeLessThanOrEqual(fewest + 2);
    // one timestamp per stored batch: no batch is over the limit
    for (const partition of perPartition) {
      const sizes = new Map<bigint, number>();
      for (const m of partition) sizes.set(m.timestamp, (sizes.get(m.timestamp) ?? 0) + 1);
      expect(Math.max(...sizes.values())).toBeLessThanOrEqual(30);
    }
    await rig.close();
  });

  it('tells its observer of every batch it sent: one per append, with its messages and bytes', async () => {
    const rig = await makeRig({ maxBatchMessages: 25 });
    const { stream, topic } = await freshTopic(rig.connector, 2);
    const sent: SentBatch[] = [];
    rig.connector.observePublishBatches((batch) => sent.push(batch));
    const counter = countAppends(rig.broker, stream, topic);
    const requests = Array.from({ length: 100 }, (_, i) => request(stream, topic, KEYS[i % 4]!, i));
    await Promise.all(requests.map((r) => rig.connector.publish(r)));
    await expect(rig.connector.publish(request(stream, 'missing-topic', 'tenant-0', 0))).rejects.toThrow();
    rig.connector.observePublishBatches(undefined);
    await rig.connector.publish(request(stream, topic, 'tenant-0', 100));
    counter.stop();
    const ours = sent.filter((b) => b.topic === topic);
    expect(ours).toHaveLength(counter.appends - 1);
    expect(ours.every((b) => b.stream === stream && b.error === undefined && b.seconds >= 0)).toBe(true);
    expect(ours.every((b) => b.messages >= 1 && b.messages <= 25)).toBe(true);
    expect(ours.reduce((n, b) => n + b.messages, 0)).toBe(100);
    const payloads = requests.reduce((n, r) => n + r.payload.length, 0);
    expect(ours.reduce((n, b) => n + b.bytes, 0)).toBeGreaterThan(payloads);
    await rig.close();
  });

  it('fails exactly the publishes of a failed batch: the others of the same tick are stored', async () => {
    const rig = await makeRig();
    const { stream, topic } = await freshTopic(rig.connector, 2);
    const good = Array.from({ length: 20 }, (_, i) => request(stream, topic, KEYS[i % 4]!, i));
    const bad = Array.from({ length: 5 }, (_, i) => request(stream, 'missing-topic', 'tenant-0', i));
    const outcomes = await Promise.allSettled([...good, ...bad].map((r) => rig.connector.publish(r)));
    expect(outcomes.slice(0, 20).every((o) => o.status === 'fulfilled')).toBe(true);
    for (const outcome of outcomes.slice(20)) {
      expect(outcome.status).toBe('rejected');
      const reason = (outcome as PromiseRejectedResult).reason as ConnectorError;
      expect(reason).toBeInstanceOf(ConnectorError);
      expect(reason.kind).toBe('Publish');
      expect(reason.message).toMatch(/missing-topic/);
    }
    const stored = (await readLog(rig.broker, stream, topic, 2)).flat().map((m) => m.id);
    expect(stored.sort()).toEqual(good.map((r) => r.eventId).sort());
    await rig.close();
  });

  it('rejects a bad message at the call without failing the good ones of its tick', async () => {
    const rig = await makeRig();
    const { stream, topic } = await freshTopic(rig.connector, 1);
    const good = [request(stream, topic, 'a', 0), request(stream, topic, 'a', 1)];
    const empty = PublishRequest.new(stream, topic, 'a', Buffer.alloc(0), randomUUID());
    const [first, bad, second] = await Promise.allSettled([
      rig.connector.publish(good[0]!),
      rig.connector.publish(empty),
      rig.connector.publish(good[1]!),
    ]);
    expect([first!.status, bad!.status, second!.status]).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((bad as PromiseRejectedResult).reason).toMatchObject({ kind: 'Publish' });
    expect((await readLog(rig.broker, stream, topic, 1))[0]!.map((m) => m.seq)).toEqual([0, 1]);
    await rig.close();
  });

  it('never holds more than maxInFlightMessages: publishes beyond it wait, in order, and none is lost', async () => {
    const rig = await makeRig({ maxInFlightMessages: 50, maxBatchMessages: 20 });
    const { stream, topic } = await freshTopic(rig.connector, 4);
    let peak = 0;
    const counter = countAppends(rig.broker, stream, topic, () => {
      peak = Math.max(peak, rig.connector.publishStats.inFlightMessages);
    });
    const requests = Array.from({ length: 1_000 }, (_, i) =>
      request(stream, topic, KEYS[i % KEYS.length]!, i),
    );
    const publishes = requests.map((r) => rig.connector.publish(r));
    expect(rig.connector.publishStats.inFlightMessages).toBeLessThanOrEqual(50);
    await Promise.all(publishes);
    counter.stop();
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThanOrEqual(50);
    expect(rig.connector.publishStats).toEqual({ inFlightMessages: 0, inFlightBytes: 0, waiting: 0 });
    const log = (await readLog(rig.broker, stream, topic, 4)).flat();
    expect(log).toHaveLength(1_000);
    expect(inOrderPerKey(log)).toBe(true);
    await rig.close();
  });

  it('lets timers run during a loop of awaited publishes (an in-process broker acknowledges without I/O)', async () => {
    const rig = await makeRig();
    const { stream, topic } = await freshTopic(rig.connector, 4);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const started = performance.now();
    for (let i = 0; i < 2_000; i++) await rig.connector.publish(request(stream, topic, KEYS[i % 16]!, i));
    const elapsedMs = performance.now() - started;
    clearInterval(timer);
    // A 1 ms interval fires at least every few ms of a loop that yields; one that never yields sees none.
    expect(ticks).toBeGreaterThanOrEqual(Math.min(3, Math.floor(elapsedMs / 10)));
    expect(ticks).toBeGreaterThan(0);
    expect((await readLog(rig.broker, stream, topic, 4)).flat()).toHaveLength(2_000);
    await rig.close();
  });

  it('caps what waits too: beyond maxWaitingMessages a publish fails at once with Backpressure; the rest is stored', async () => {
    const rig = await makeRig({ maxInFlightMessages: 10, maxWaitingMessages: 50 });
    const { stream, topic } = await freshTopic(rig.connector, 4);
    const requests = Array.from({ length: 200 }, (_, i) => request(stream, topic, KEYS[i % KEYS.length]!, i));
    const outcomes = await Promise.allSettled(requests.map((r) => rig.connector.publish(r)));
    const stored = outcomes.flatMap((o, i) => (o.status === 'fulfilled' ? [i] : []));
    expect(stored).toEqual(Array.from({ length: 60 }, (_, i) => i));
    for (const outcome of outcomes.slice(60)) {
      expect(outcome).toMatchObject({ status: 'rejected', reason: { kind: 'Backpressure' } });
    }
    expect((outcomes[60] as PromiseRejectedResult).reason.message).toMatch(
      /no place to wait: 50 message\(s\), \d+ B wait already \(publish.maxWaitingMessages 50/,
    );
    const log = (await readLog(rig.broker, stream, topic, 4)).flat();
    expect(log.map((m) => m.seq).sort((a, b) => a - b)).toEqual(stored);
    expect(rig.connector.publishStats).toEqual({ inFlightMessages: 0, inFlightBytes: 0, waiting: 0 });
    await rig.close();
  });

  it('with no wait allowed, fails what finds no room with Backpressure; everything acknowledged is stored', async () => {
    const rig = await makeRig({ maxInFlightMessages: 50, backpressureTimeoutMs: 0 });
    const { stream, topic } = await freshTopic(rig.connector, 2);
    const requests = Array.from({ length: 200 }, (_, i) => request(stream, topic, KEYS[i % 4]!, i));
    const outcomes = await Promise.allSettled(requests.map((r) => rig.connector.publish(r)));
    const acked = requests.filter((_, i) => outcomes[i]!.status === 'fulfilled').map((r) => r.eventId);
    const refused = outcomes.filter((o) => o.status === 'rejected') as PromiseRejectedResult[];
    expect(acked).toHaveLength(50);
    expect(refused).toHaveLength(150);
    for (const { reason } of refused) {
      expect(reason).toBeInstanceOf(ConnectorError);
      expect(reason).toMatchObject({ kind: 'Backpressure' });
      expect((reason as Error).message).toMatch(/publish\.maxInFlightMessages 50/);
    }
    const stored = (await readLog(rig.broker, stream, topic, 2)).flat().map((m) => m.id);
    expect(stored.sort()).toEqual(acked.sort());
    await rig.close();
  });

  it('fails exactly the batch of a partition that is gone (stale partition count), then routes by the new count', async () => {
    const rig = await makeRig();
    const { stream, topic } = await freshTopic(rig.connector, 4);
    const keyOn = (p: number, n: number) => KEYS.find((k) => calculatePartition(k, n) === p)!;
    await rig.connector.publish(request(stream, topic, keyOn(0, 4), 0)); // the path now knows 4 partitions
    const admin = rig.broker.openSession();
    await admin.deletePartitions({ streamId: stream, topicId: topic, partitionsCount: 1 }); // partition 3 is gone
    await admin.close();
    const onGone = request(stream, topic, keyOn(3, 4), 1);
    const others = [0, 1, 2].map((p, i) => request(stream, topic, keyOn(p, 4), 2 + i));
    const outcomes = await Promise.allSettled([onGone, ...others].map((r) => rig.connector.publish(r)));
    expect(outcomes[0]).toMatchObject({
      status: 'rejected',
      reason: { kind: 'Publish', code: IggyErrorCode.PartitionNotFound },
    });
    expect(outcomes.slice(1).map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    await rig.connector.publish(request(stream, topic, keyOn(3, 4), 5)); // asked again: 3 partitions now
    const log = (await readLog(rig.broker, stream, topic, 3)).flat();
    expect(log.map((m) => m.seq).sort()).toEqual([0, 2, 3, 4, 5]);
    await rig.close();
  });

  it('sends what is queued and waits for it on shutdown; publishes after it fail with NotConnected', async () => {
    const rig = await makeRig({ lingerMs: 60_000 });
    const { stream, topic } = await freshTopic(rig.connector, 2);
    const requests = Array.from({ length: 10 }, (_, i) => request(stream, topic, KEYS[i % 4]!, i));
    const publishes = requests.map((r) => rig.connector.publish(r));
    const counter = countAppends(rig.broker, stream, topic);
    await rig.close(); // the linger would hold them for a minute
    await Promise.all(publishes);
    expect(counter.appends).toBe(2);
    await expect(rig.connector.publish(requests[0]!)).rejects.toMatchObject({ kind: 'NotConnected' });
  });
});

describe('publish path: RemoteConnector with a stalled broker', () => {
  it('holds emits beyond the cap while the broker is stalled, fails them with Backpressure after the wait, and loses nothing acknowledged', async () => {
    const connector = new RemoteConnector();
    await connector.connect(
      resolveConnectorConfig({
        mode: 'remote',
        remote: { addresses: [proxy.address] },
        publish: { maxInFlightMessages: 20, backpressureTimeoutMs: 300 },
      }),
    );
    const { stream, topic } = await freshTopic(connector, 2);
    proxy.pause();
    const requests = Array.from({ length: 100 }, (_, i) => request(stream, topic, KEYS[i % 4]!, i));
    const outcomes = Promise.allSettled(requests.map((r) => connector.publish(r)));
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(connector.publishStats).toEqual(expect.objectContaining({ inFlightMessages: 20, waiting: 0 }));
    proxy.resume();
    const settled = await outcomes;
    const acked = requests.filter((_, i) => settled[i]!.status === 'fulfilled').map((r) => r.eventId);
    expect(acked).toHaveLength(20);
    for (const outcome of settled.slice(20)) {
      expect(outcome).toMatchObject({ status: 'rejected', reason: { kind: 'Backpressure' } });
    }
    const stored = (await readLog(server.broker!, stream, topic, 2)).flat().map((m) => m.id);
    expect(stored.sort()).toEqual(acked.sort());
    await connector.shutdown();
  });
});
