import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { resolveConnectorConfig } from '../../../lib/connectors/connector-config.js';
import { EmbeddedConnector } from '../../../lib/connectors/embedded-connector.js';
import { ConsumerRuntime, type ConsumerSpec } from '../../../lib/consumer/consumer-runtime.js';
import type { ConsumerObserver } from '../../../lib/consumer/consumer-observer.js';
import { envelopeToMessage } from '../../../lib/events/envelope-message.js';
import { createEnvelope } from '../../../lib/events/event-envelope.js';
import { JsonSerializer } from '../../../lib/events/json-serializer.js';
import { SerializerRegistry } from '../../../lib/events/serializer-registry.js';
import { ConsumerTelemetry } from '../../../lib/observability/consumer-telemetry.js';
import { IggyMetrics } from '../../../lib/observability/iggy-metrics.js';
import { sample } from '../../support/observability.js';
import { jobRoutes, waitFor } from '../consumer/consumer-kit.js';

const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };
const STREAM = 'rebalances';
const TOPIC = 'jobs';

let connector: EmbeddedConnector;
const running: ConsumerRuntime[] = [];

beforeEach(async () => {
  connector = new EmbeddedConnector();
  await connector.connect(
    resolveConnectorConfig({ embedded: { persistent: false, tcpPort: null, httpPort: null } }),
  );
  await connector.ensureStream(STREAM);
  await connector.ensureTopic(STREAM, { name: TOPIC, partitions: 4 });
});

afterEach(async () => {
  while (running.length) await running.pop()!.stop();
  await connector.shutdown();
});

/** A member of group `g` on the embedded broker whose handler records what it handled. */
async function member(
  observer: ConsumerObserver | undefined,
  handled: string[] = [],
): Promise<ConsumerRuntime> {
  const spec: ConsumerSpec = {
    stream: STREAM,
    topic: TOPIC,
    group: 'g',
    routes: jobRoutes(async (envelope) => void handled.push(envelope.id)),
    serializers: new SerializerRegistry(),
    pollIntervalMs: 10,
    assignmentCheckMs: 20,
    concurrency: 4,
    shutdownTimeoutMs: 2_000,
    retry: { attempts: 1, initialDelayMs: 5, maxDelayMs: 20, multiplier: 2, jitter: 0 },
    commit: { every: 1, intervalMs: 10 },
    observer,
  };
  const runtime = new ConsumerRuntime(connector, spec, quiet);
  running.push(runtime);
  await runtime.start();
  return runtime;
}

async function publish(n: number): Promise<string[]> {
  const json = new JsonSerializer();
  const envelopes = Array.from({ length: n }, (_, i) =>
    createEnvelope({ tenantId: `t${i}`, type: 'job.run', payload: { i } }),
  );
  await connector.publishBatch(
    envelopes.map((e) => envelopeToMessage(e, json, { stream: STREAM, topic: TOPIC })),
  );
  return envelopes.map((e) => e.id);
}

const REBALANCES = 'nestjs_iggy_consumer_rebalances_total{group="g"}';
const ASSIGNED = 'nestjs_iggy_consumer_assigned_partitions{group="g"}';

/** Waits until the registry's rebalance count and assigned-partitions gauge of group `g` are `want`. */
async function until(metrics: IggyMetrics, want: { rebalances: number; assigned: number }, what: string) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const text = await metrics.metrics();
    const seen = { rebalances: sample(text, REBALANCES), assigned: sample(text, ASSIGNED) };
    if (seen.rebalances === want.rebalances && seen.assigned === want.assigned) return;
    if (Date.now() > deadline)
      throw new Error(`${what}: want ${JSON.stringify(want)}, got ${JSON.stringify(seen)}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const telemetry = (metrics: IggyMetrics | undefined) =>
  new ConsumerTelemetry({ stream: STREAM, topic: TOPIC, group: 'g' }, metrics, undefined);

describe('consumer rebalances in IggyMetrics (embedded broker)', () => {
  it('counts a rebalance of the first member when a second joins and when it leaves; gauges its partitions', async () => {
    const metrics = new IggyMetrics();
    const handled: string[] = [];
    await member(telemetry(metrics), handled);
    await until(metrics, { rebalances: 0, assigned: 4 }, 'the first member owns the four partitions');
    const before = await publish(8);
    await waitFor(() => handled.length === 8, 10_000, 'the first member handled everything');

    const second = await member(undefined);
    await until(metrics, { rebalances: 1, assigned: 2 }, 'the second member joined');

    await second.stop();
    await until(metrics, { rebalances: 2, assigned: 4 }, 'the second member left');
    const after = await publish(8);
    await waitFor(() => handled.length === 16, 10_000, 'the first member took its partitions back');
    expect(new Set(handled)).toEqual(new Set([...before, ...after]));

    const text = await metrics.metrics();
    expect(text).toContain('# TYPE nestjs_iggy_consumer_rebalances_total counter');
    expect(text).toContain('# TYPE nestjs_iggy_consumer_assigned_partitions gauge');
  });

  it('adds up the members of one app in the gauge; a stopped member takes its partitions out of it', async () => {
    const metrics = new IggyMetrics();
    await member(telemetry(metrics));
    await until(metrics, { rebalances: 0, assigned: 4 }, 'the first member owns the four partitions');
    const second = await member(telemetry(metrics));
    // The first member's set shrinks (a rebalance); the second's first set is not one.
    await until(metrics, { rebalances: 1, assigned: 4 }, 'both members hold two partitions');
    await second.stop();
    await until(metrics, { rebalances: 2, assigned: 4 }, 'the first member holds all four again');
  });

  it('without metrics the observer asks for no assignment, so the group is never read for it', () => {
    expect(telemetry(undefined).assigned).toBeUndefined();
    expect(typeof telemetry(new IggyMetrics()).assigned).toBe('function');
  });
});
