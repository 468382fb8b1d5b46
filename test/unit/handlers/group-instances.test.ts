import { afterEach, describe, expect, it } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import { RemoteConnector } from '../../../lib/connectors/remote-connector.js';
import type { EventEnvelope } from '../../../lib/events/event-envelope.js';
import { ConsumerGroupManager, IggyEventHandler } from '../../../lib/handlers/index.js';
import { IggyEventContext } from '../../../lib/consumer/index.js';
import {
  PARTITIONS,
  STREAM,
  TOPIC,
  createApp,
  event,
  groupLag,
  publish,
  startBroker,
  waitFor,
} from './handlers-kit.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** One handler class per "instance", recording which partitions it handled. */
function instanceHandler(seen: Map<string, number>) {
  @Injectable()
  class Worker {
    @IggyEventHandler('work.#', { group: 'workers', concurrency: PARTITIONS })
    handle(e: EventEnvelope, ctx: IggyEventContext): void {
      seen.set(e.id, ctx.getPartition());
    }
  }
  return Worker;
}

describe('two instances of one group (embedded broker + a RemoteConnector over TCP)', () => {
  it('split the partitions, and one takes over when the other stops', async () => {
    const embedded = await startBroker({ tcp: true });
    cleanups.push(() => embedded.shutdown());
    const remote = new RemoteConnector();
    await remote.connect({
      mode: 'remote',
      streamName: STREAM,
      topicName: TOPIC,
      partitions: PARTITIONS,
      remote: { addresses: [`127.0.0.1:${embedded.tcpPort}`] },
    });
    cleanups.push(() => remote.shutdown());

    const seenA = new Map<string, number>();
    const seenB = new Map<string, number>();
    const appA = await createApp(embedded, [instanceHandler(seenA)]);
    cleanups.push(() => appA.close());
    let appB: TestingModule | undefined = await createApp(remote, [instanceHandler(seenB)]);
    cleanups.push(() => appB?.close() ?? Promise.resolve());

    const tenants = Array.from({ length: 32 }, (_, i) => `tenant-${i}`);
    const round1 = tenants.map((tenantId) => event({ tenantId, type: 'work.item' }));
    await publish(embedded, ...round1);
    await waitFor(() => seenA.size + seenB.size >= round1.length, 15_000, 'round 1 handled');
    const partitionsA = new Set(seenA.values());
    const partitionsB = new Set(seenB.values());
    expect(partitionsA.size).toBeGreaterThan(0);
    expect(partitionsB.size).toBeGreaterThan(0);
    expect([...partitionsA].filter((p) => partitionsB.has(p))).toEqual([]);
    expect(new Set([...seenA.keys(), ...seenB.keys()]).size).toBe(round1.length);
    await waitFor(async () => (await groupLag(embedded, 'workers')) === 0n, 5_000, 'round 1 committed');

    // B stops (graceful: commits, leaves the group); A takes every partition over.
    const statusB = appB.get(ConsumerGroupManager).groups()[0]!;
    expect(statusB.handled).toBe(seenB.size);
    await appB.close();
    appB = undefined;
    seenA.clear();
    const round2 = tenants.map((tenantId) => event({ tenantId, type: 'work.item' }));
    await publish(embedded, ...round2);
    await waitFor(() => seenA.size === round2.length, 15_000, 'round 2 handled by A');
    expect(new Set(seenA.values()).size).toBe(PARTITIONS);
    await waitFor(async () => (await groupLag(embedded, 'workers')) === 0n, 5_000, 'round 2 committed');
  });
});
