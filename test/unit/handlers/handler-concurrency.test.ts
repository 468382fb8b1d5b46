import { afterEach, describe, expect, it } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import { EmbeddedConnector } from '../../../lib/connectors/embedded-connector.js';
import type { EventEnvelope } from '../../../lib/events/event-envelope.js';
import { partitionForTenant } from '../../../lib/events/tenant-partitioner.js';
import { IggyEventHandler } from '../../../lib/handlers/index.js';
import { IggyEventContext } from '../../../lib/consumer/index.js';
import { TopologyManager } from '../../../lib/topology/topology-manager.js';
import { STREAM, TOPIC, createApp, event, groupLag, publish, sleep, waitFor } from './handlers-kit.js';

const PARTITIONS = 8;
const CONCURRENCY = 2;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function broker(): Promise<EmbeddedConnector> {
  const connector = new EmbeddedConnector();
  await connector.connect({
    streamName: STREAM,
    topicName: TOPIC,
    partitions: PARTITIONS,
    embedded: { persistent: false, tcpPort: null, httpPort: null },
  });
  cleanups.push(() => connector.shutdown());
  await new TopologyManager(connector, {}, { logger: { warn: () => undefined } }).ensure();
  return connector;
}

/** One tenant per partition. */
function tenantPerPartition(): string[] {
  const byPartition = new Map<number, string>();
  for (let i = 0; byPartition.size < PARTITIONS; i++) {
    const tenant = `tenant-${i}`;
    const partition = partitionForTenant(tenant, PARTITIONS);
    if (!byPartition.has(partition)) byPartition.set(partition, tenant);
  }
  return [...byPartition.values()];
}

describe('the concurrency of a handler group', () => {
  it(`runs at most ${CONCURRENCY} handler calls at once over ${PARTITIONS} busy partitions, and more than one`, async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const partitionsSeen = new Set<number>();
    let handled = 0;
    @Injectable()
    class Slow {
      @IggyEventHandler('work.#', { group: 'capped', concurrency: CONCURRENCY })
      async on(_e: EventEnvelope, ctx: IggyEventContext): Promise<void> {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        partitionsSeen.add(ctx.getPartition());
        await sleep(15);
        inFlight--;
        handled++;
      }
    }
    const connector = await broker();
    const tenants = tenantPerPartition();
    const perPartition = 4;
    const events = tenants.flatMap((tenantId) =>
      Array.from({ length: perPartition }, () => event({ tenantId, type: 'work.item' })),
    );
    await publish(connector, ...events);
    const moduleRef = await createApp(connector, [Slow]);
    cleanups.push(() => moduleRef.close());

    await waitFor(() => handled === events.length, 20_000, 'every event');
    expect(partitionsSeen.size).toBe(PARTITIONS);
    expect(maxInFlight).toBeLessThanOrEqual(CONCURRENCY);
    expect(maxInFlight).toBeGreaterThan(1);
    await waitFor(async () => (await groupLag(connector, 'capped')) === 0n, 5_000, 'lag 0');
  });
});
