import { afterEach, describe, expect, it } from '@jest/globals';
import { Injectable, type Type } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import type { EmbeddedConnector } from '../../../lib/connectors/embedded-connector.js';
import type { StartFrom } from '../../../lib/connectors/message-subscriber.js';
import type { EventEnvelope } from '../../../lib/events/event-envelope.js';
import { partitionForTenant } from '../../../lib/events/tenant-partitioner.js';
import { IggyEventHandler } from '../../../lib/handlers/index.js';
import { IggyEventContext } from '../../../lib/consumer/index.js';
import { PARTITIONS, createApp, event, groupLag, publish, startBroker, waitFor } from './handlers-kit.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** Two tenants on two different partitions. */
const [A, B] = ['acme', 'zeta'];

async function broker(): Promise<EmbeddedConnector> {
  expect(partitionForTenant(A, PARTITIONS)).not.toBe(partitionForTenant(B, PARTITIONS));
  const connector = await startBroker();
  cleanups.push(() => connector.shutdown());
  return connector;
}

async function app(connector: EmbeddedConnector, handler: Type): Promise<TestingModule> {
  const moduleRef = await createApp(connector, [handler]);
  cleanups.push(() => moduleRef.close());
  return moduleRef;
}

/** A handler of group `group` (with `startFrom`, when given) recording `tenant:n@offset` of what it gets. */
function recorder(group: string, startFrom: StartFrom | undefined, seen: string[]): Type {
  @Injectable()
  class Recorder {
    @IggyEventHandler('step.#', startFrom === undefined ? { group } : { group, startFrom })
    on(e: EventEnvelope<{ n: number }>, ctx: IggyEventContext): void {
      seen.push(`${e.tenantId}:${e.payload.n}@${ctx.getOffset()}`);
    }
  }
  return Recorder;
}

/** Publishes the events numbered `ns` of one tenant, in order. */
async function publishSteps(connector: EmbeddedConnector, tenant: string, ...ns: number[]): Promise<void> {
  await publish(connector, ...ns.map((n) => event({ tenantId: tenant, type: 'step.done', payload: { n } })));
}

const byTenant = (seen: string[], tenant: string): string[] => seen.filter((s) => s.startsWith(`${tenant}:`));

describe('@IggyEventHandler startFrom: what a new group gets of the events published before it started', () => {
  it("'beginning': everything retained, then what comes next", async () => {
    const connector = await broker();
    await publishSteps(connector, A, 0, 1, 2);
    await publishSteps(connector, B, 0);
    const seen: string[] = [];
    await app(connector, recorder('from-beginning', 'beginning', seen));
    await publishSteps(connector, A, 3);
    await waitFor(() => seen.length === 5, 10_000, 'five events');
    expect(byTenant(seen, A)).toEqual(['acme:0@0', 'acme:1@1', 'acme:2@2', 'acme:3@3']);
    expect(byTenant(seen, B)).toEqual(['zeta:0@0']);
    await waitFor(async () => (await groupLag(connector, 'from-beginning')) === 0n, 5_000, 'lag 0');
  });

  it("'end': nothing published before it started, on any partition", async () => {
    const connector = await broker();
    await publishSteps(connector, A, 0, 1);
    await publishSteps(connector, B, 0);
    const seen: string[] = [];
    await app(connector, recorder('from-end', 'end', seen));
    await publishSteps(connector, A, 2);
    await publishSteps(connector, B, 1);
    // Each partition is handled in order: had the earlier events been delivered, they would come first.
    await waitFor(
      () => byTenant(seen, A).length > 0 && byTenant(seen, B).length > 0,
      10_000,
      'the new events',
    );
    await waitFor(async () => (await groupLag(connector, 'from-end')) === 0n, 5_000, 'lag 0');
    expect(seen.sort()).toEqual(['acme:2@2', 'zeta:1@1']);
  });

  it('{ offset }: from that offset on every partition', async () => {
    const connector = await broker();
    await publishSteps(connector, A, 0, 1, 2);
    await publishSteps(connector, B, 0);
    const seen: string[] = [];
    await app(connector, recorder('from-offset', { offset: 1n }, seen));
    await publishSteps(connector, B, 1);
    await waitFor(() => byTenant(seen, A).length === 2 && byTenant(seen, B).length > 0, 10_000, 'the events');
    await waitFor(async () => (await groupLag(connector, 'from-offset')) === 0n, 5_000, 'lag 0');
    expect(byTenant(seen, A)).toEqual(['acme:1@1', 'acme:2@2']);
    expect(byTenant(seen, B)).toEqual(['zeta:1@1']);
  });

  it.each([
    ['committed', 'committed' as const],
    ['left out (committed)', undefined],
  ])('%s: everything the first time, then only what the group has not committed', async (_, startFrom) => {
    const connector = await broker();
    await publishSteps(connector, A, 0, 1);
    await publishSteps(connector, B, 0);
    const first: string[] = [];
    const firstApp = await app(connector, recorder('from-committed', startFrom, first));
    await waitFor(async () => (await groupLag(connector, 'from-committed')) === 0n, 10_000, 'lag 0');
    await firstApp.close();
    expect(first.sort()).toEqual(['acme:0@0', 'acme:1@1', 'zeta:0@0']);

    await publishSteps(connector, A, 2);
    const second: string[] = [];
    await app(connector, recorder('from-committed', startFrom, second));
    await waitFor(() => second.length > 0, 10_000, 'the new event');
    await waitFor(async () => (await groupLag(connector, 'from-committed')) === 0n, 5_000, 'lag 0');
    expect(second).toEqual(['acme:2@2']);
  });
});
