import { DeadLetterRedriveError } from '../../../lib/dlq/dead-letter-redrive.error.js';
import { afterEach, describe, expect, it } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import { DlqManager } from '../../../lib/dlq/index.js';
import type { EventEnvelope } from '../../../lib/events/event-envelope.js';
import { IggyEventHandler } from '../../../lib/handlers/index.js';
import { IggyEventContext } from '../../../lib/consumer/index.js';
import { createApp, event, groupLag, publish, startBroker, waitFor } from '../handlers/handlers-kit.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** `billing` fails on orders until fixed; `shipping` always succeeds; `audit` fails on users. */
const state = { fixed: false };
const calls: string[] = [];

@Injectable()
class Handlers {
  @IggyEventHandler('order.*', { group: 'billing' })
  bill(e: EventEnvelope, ctx: IggyEventContext): void {
    calls.push(`bill:${e.tenantId}:${ctx.getRedriveCount()}`);
    if (!state.fixed) throw new Error(`cannot bill ${e.tenantId}`);
  }

  @IggyEventHandler('order.*', { group: 'billing' })
  notify(e: EventEnvelope): void {
    calls.push(`notify:${e.tenantId}`);
  }

  @IggyEventHandler('order.*', { group: 'shipping' })
  ship(e: EventEnvelope): void {
    calls.push(`ship:${e.tenantId}`);
  }

  @IggyEventHandler('user.created', { group: 'audit' })
  audit(): void {
    throw new Error('audit down');
  }
}

async function setup() {
  state.fixed = false;
  calls.length = 0;
  const connector = await startBroker();
  cleanups.push(() => connector.shutdown());
  const moduleRef = await createApp(connector, [Handlers]);
  cleanups.push(() => moduleRef.close());
  await publish(
    connector,
    event({ tenantId: 'acme', type: 'order.created' }),
    event({ tenantId: 'globex', type: 'order.paid' }),
    event({ tenantId: 'acme', type: 'user.created' }),
  );
  const dlq = moduleRef.get(DlqManager);
  await waitFor(async () => (await dlq.list()).length === 3, 10_000, 'three dead letters');
  for (const group of ['billing', 'shipping', 'audit']) {
    await waitFor(async () => (await groupLag(connector, group)) === 0n, 5_000, `${group} committed`);
  }
  return { connector, dlq };
}

describe('DlqManager', () => {
  it('lists and filters dead letters by handler, group, type and tenant, bounded by a limit', async () => {
    const { dlq } = await setup();
    const all = await dlq.list();
    expect(all.map((d) => `${d.handler}:${d.eventType}:${d.tenantId}`).sort()).toEqual([
      'Handlers.audit:user.created:acme',
      'Handlers.bill:order.created:acme',
      'Handlers.bill:order.paid:globex',
    ]);
    expect(await dlq.list({ handler: 'Handlers.bill' })).toHaveLength(2);
    expect(await dlq.list({ group: 'audit' })).toHaveLength(1);
    expect(await dlq.list({ type: 'order.*' })).toHaveLength(2);
    expect(await dlq.list({ type: 'order.paid' })).toHaveLength(1);
    expect((await dlq.list({ tenantId: 'acme' })).map((d) => d.eventType).sort()).toEqual([
      'order.created',
      'user.created',
    ]);
    expect(await dlq.list({ limit: 1 })).toHaveLength(1);
    expect(await dlq.get(all[0]!.id)).toMatchObject({ id: all[0]!.id });
    expect(await dlq.get('00000000-0000-0000-0000-000000000000')).toBeNull();
  });

  it('returns dead letters that serialize to JSON (a controller may return them as they are)', async () => {
    const { dlq } = await setup();
    const [deadLetter] = await dlq.list({ group: 'audit' });
    const json = JSON.parse(JSON.stringify([deadLetter])) as Record<string, unknown>[];
    expect(json[0]).toMatchObject({
      id: deadLetter!.id,
      group: 'audit',
      eventType: 'user.created',
      failedAt: deadLetter!.failedAt.toISOString(),
      origin: {
        offset: deadLetter!.origin.offset.toString(),
        timestamp: deadLetter!.origin.timestamp.toString(),
      },
      message: {
        id: deadLetter!.message.id.toString(),
        payload: deadLetter!.message.payload.toString('base64'),
      },
      position: { partition: deadLetter!.position.partition, offset: deadLetter!.position.offset.toString() },
    });
    expect(JSON.parse(JSON.stringify(await dlq.inspect(deadLetter!.id)))).toMatchObject({
      deadLetter: { id: deadLetter!.id, origin: { offset: deadLetter!.origin.offset.toString() } },
    });
  });

  it('redrives one dead letter to its origin: only the failed handler of the failed group runs again', async () => {
    const { connector, dlq } = await setup();
    const [dead] = await dlq.list({ tenantId: 'globex' });
    state.fixed = true;
    calls.length = 0;
    const result = await dlq.redrive(dead!.id);
    expect(result).toMatchObject({ eventId: dead!.eventId, partitionKey: 'globex', redriveCount: 1 });
    await waitFor(() => calls.length >= 1);
    await waitFor(
      async () => (await groupLag(connector, 'billing')) + (await groupLag(connector, 'shipping')) === 0n,
    );
    expect(calls).toEqual(['bill:globex:1']);
    expect((await dlq.get(dead!.id))!.status).toBe('redriven');
    expect(await dlq.list({ tenantId: 'globex' })).toEqual([]);
    await expect(dlq.redrive(dead!.id)).rejects.toThrow('already redriven');
    await expect(dlq.redrive(dead!.id)).rejects.toMatchObject({
      name: 'DeadLetterRedriveError',
      reason: 'not-pending',
      status: 'redriven',
    });
    await expect(dlq.redrive('no-such-id')).rejects.toBeInstanceOf(DeadLetterRedriveError);
    await expect(dlq.redrive('no-such-id')).rejects.toMatchObject({ id: 'no-such-id', reason: 'not-found' });
  });

  it('refuses a second redrive of a dead letter while the first runs: the event is handled once', async () => {
    const { connector, dlq } = await setup();
    const [dead] = await dlq.list({ tenantId: 'globex' });
    state.fixed = true;
    calls.length = 0;
    const [first, second, all] = await Promise.allSettled([
      dlq.redrive(dead!.id),
      dlq.redrive(dead!.id),
      dlq.redriveAll({ tenantId: 'globex' }),
    ]);
    expect(first).toMatchObject({ status: 'fulfilled', value: { redriveCount: 1 } });
    expect(second).toMatchObject({ status: 'rejected', reason: { reason: 'in-progress', id: dead!.id } });
    expect(all).toEqual({ status: 'fulfilled', value: [] });
    await waitFor(async () => (await groupLag(connector, 'billing')) === 0n);
    await new Promise((r) => setTimeout(r, 200));
    expect(calls).toEqual(['bill:globex:1']);
    expect(await dlq.purge({ tenantId: 'globex' })).toBe(0);
  });

  it('redrives all matching; a redriven event that fails again is dead-lettered with its redrive count', async () => {
    const { connector, dlq } = await setup();
    calls.length = 0;
    const results = await dlq.redriveAll({ handler: 'Handlers.bill' });
    expect(results).toHaveLength(2);
    await waitFor(
      async () => (await dlq.list({ handler: 'Handlers.bill' })).length === 2,
      10_000,
      'failed again',
    );
    await waitFor(async () => (await groupLag(connector, 'billing')) === 0n);
    expect(calls.sort()).toEqual([...Array(3).fill('bill:acme:1'), ...Array(3).fill('bill:globex:1')]); // 3 attempts each
    const again = await dlq.list({ handler: 'Handlers.bill' });
    expect(again.map((d) => d.redriveCount)).toEqual([1, 1]);
    expect((await dlq.list({ status: 'redriven' })).map((d) => d.handler)).toEqual([
      'Handlers.bill',
      'Handlers.bill',
    ]);
  });

  it('purges (marks) matching dead letters; they stay in the log as purged', async () => {
    const { dlq } = await setup();
    expect(await dlq.purge({ group: 'audit' })).toBe(1);
    expect(await dlq.list()).toHaveLength(2);
    expect(await dlq.purge()).toBe(2);
    expect(await dlq.list()).toEqual([]);
    expect(await dlq.list({ status: 'purged' })).toHaveLength(3);
    expect(await dlq.list({ status: 'all' })).toHaveLength(3);
  });
});
