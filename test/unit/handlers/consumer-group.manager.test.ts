import { afterEach, describe, expect, it } from '@jest/globals';
import { Controller, Injectable } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import type { TestingModule } from '@nestjs/testing';
import type { EmbeddedConnector } from '../../../lib/connectors/embedded-connector.js';
import type { EventEnvelope } from '../../../lib/events/event-envelope.js';
import { partitionForTenant } from '../../../lib/events/tenant-partitioner.js';
import { ConsumerGroupManager, IggyEventHandler } from '../../../lib/handlers/index.js';
import { IggyEventContext } from '../../../lib/consumer/index.js';
import { IggyClientProxy } from '../../../lib/transport/iggy.client-proxy.js';
import { IggyRequestTimeoutError } from '../../../lib/transport/transport-errors.js';
import { firstValueFrom } from 'rxjs';
import {
  PARTITIONS,
  createApp,
  deferred,
  event,
  fastOptions,
  groupLag,
  publish,
  sleep,
  startBroker,
  waitFor,
} from './handlers-kit.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function broker(): Promise<EmbeddedConnector> {
  const connector = await startBroker();
  cleanups.push(() => connector.shutdown());
  return connector;
}

async function app(...args: Parameters<typeof createApp>): Promise<TestingModule> {
  const moduleRef = await createApp(...args);
  cleanups.push(() => moduleRef.close());
  return moduleRef;
}

describe('ConsumerGroupManager', () => {
  it('discovers handlers on providers and controllers, one subscription per group', async () => {
    @Injectable()
    class Billing {
      @IggyEventHandler('order.created', { group: 'billing' })
      onCreated(): void {}
      @IggyEventHandler('order.*', { group: 'billing', concurrency: 2 })
      @IggyEventHandler('invoice.#', { group: 'audit' })
      onOrder(): void {}
    }
    @Controller()
    class Audit {
      @IggyEventHandler('user.created', { group: 'audit' })
      onUser(): void {}
    }
    const connector = await broker();
    const moduleRef = await app(connector, [Billing], fastOptions, [Audit]);

    const groups = moduleRef.get(ConsumerGroupManager).groups();
    expect(groups.map((g) => g.group).sort()).toEqual(['audit', 'billing']);
    const billing = groups.find((g) => g.group === 'billing')!;
    expect(billing.handlers).toEqual([
      { name: 'Billing.onCreated', pattern: 'order.created' },
      { name: 'Billing.onOrder', pattern: 'order.*' },
    ]);
    expect(billing.state).toBe('running');
    expect(groups.find((g) => g.group === 'audit')!.handlers).toEqual([
      { name: 'Billing.onOrder', pattern: 'invoice.#' },
      { name: 'Audit.onUser', pattern: 'user.created' },
    ]);
  });

  it('passes (envelope, IggyEventContext) and supports @Payload / @Ctx', async () => {
    const seen: { envelope: EventEnvelope; ctx: IggyEventContext; amount: unknown }[] = [];
    @Injectable()
    class Handler {
      @IggyEventHandler('order.created', { group: 'g1' })
      plain(envelope: EventEnvelope, ctx: IggyEventContext): void {
        seen.push({ envelope, ctx, amount: undefined });
      }
      @IggyEventHandler('order.created', { group: 'g2' })
      decorated(@Payload('payload') payload: { amount: number }, @Ctx() ctx: IggyEventContext): void {
        seen.push({ envelope: ctx.getEnvelope(), ctx, amount: payload.amount });
      }
    }
    const connector = await broker();
    await app(connector, [Handler]);
    const e = event({ tenantId: 't1', type: 'order.created', payload: { amount: 42 } });
    await publish(connector, e);
    await waitFor(() => seen.length === 2);
    for (const { envelope, ctx } of seen) {
      expect(envelope).toMatchObject({
        id: e.id,
        tenantId: 't1',
        type: 'order.created',
        payload: { amount: 42 },
      });
      expect(ctx).toBeInstanceOf(IggyEventContext);
      expect(ctx.getPartition()).toBe(partitionForTenant('t1', PARTITIONS));
      expect(ctx.getOffset()).toBe(0n);
      expect(ctx.getEvent().id).toBe(e.id);
      expect(ctx.getAttempt()).toBe(1);
    }
    expect(seen.map((s) => s.ctx.getGroup()).sort()).toEqual(['g1', 'g2']);
    expect(seen.find((s) => s.ctx.getGroup() === 'g2')!.amount).toBe(42);
  });

  it('keeps each partition in order across tenants, partitions in parallel', async () => {
    const got = new Map<string, number[]>();
    let inFlight = 0;
    let maxInFlight = 0;
    @Injectable()
    class Handler {
      @IggyEventHandler('seq.#', { group: 'ordered', concurrency: PARTITIONS })
      async on(envelope: EventEnvelope<{ n: number }>): Promise<void> {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await sleep(Math.random() * 3);
        inFlight--;
        got.set(envelope.tenantId, [...(got.get(envelope.tenantId) ?? []), envelope.payload.n]);
      }
    }
    const connector = await broker();
    await app(connector, [Handler]);
    const tenants = Array.from({ length: 12 }, (_, i) => `tenant-${i}`);
    const perTenant = 15;
    const events = [];
    for (let n = 0; n < perTenant; n++) {
      for (const tenantId of tenants) events.push(event({ tenantId, type: 'seq.step', payload: { n } }));
    }
    await publish(connector, ...events);
    await waitFor(() => [...got.values()].reduce((s, v) => s + v.length, 0) === events.length, 15_000);
    for (const tenant of tenants)
      expect(got.get(tenant)).toEqual(Array.from({ length: perTenant }, (_, i) => i));
    expect(maxInFlight).toBeGreaterThan(1);
    await waitFor(async () => (await groupLag(connector, 'ordered')) === 0n, 5_000, 'lag 0');
  });

  it('gives every event to every group; routes by exact and wildcard patterns; commits unmatched ones', async () => {
    const calls: string[] = [];
    @Injectable()
    class Handlers {
      @IggyEventHandler('order.created', { group: 'a' })
      a(e: EventEnvelope): void {
        calls.push(`a:${e.type}`);
      }
      @IggyEventHandler('order.created', { group: 'b' })
      b(e: EventEnvelope): void {
        calls.push(`b:${e.type}`);
      }
      @IggyEventHandler('order.*', { group: 'c' })
      c(e: EventEnvelope): void {
        calls.push(`c:${e.type}`);
      }
    }
    const connector = await broker();
    const moduleRef = await app(connector, [Handlers]);
    await publish(
      connector,
      event({ tenantId: 't1', type: 'order.created' }),
      event({ tenantId: 't2', type: 'order.line.added' }),
      event({ tenantId: 't3', type: 'user.created' }),
      event({ tenantId: 't4', type: 'order.paid' }),
    );
    await waitFor(
      async () =>
        (await groupLag(connector, 'a')) +
          (await groupLag(connector, 'b')) +
          (await groupLag(connector, 'c')) ===
        0n,
    );
    expect(calls.sort()).toEqual(['a:order.created', 'b:order.created', 'c:order.created', 'c:order.paid']);
    const status = moduleRef
      .get(ConsumerGroupManager)
      .groups()
      .find((g) => g.group === 'c')!;
    expect(status.handled).toBe(2);
    expect(status.skipped).toBe(2);
    const lag = await moduleRef.get(ConsumerGroupManager).lag();
    expect(lag.map((l) => [l.group, l.total])).toEqual(
      expect.arrayContaining([
        ['a', 0n],
        ['b', 0n],
        ['c', 0n],
      ]),
    );
  });

  it('commits only after success: a message in flight at stop is delivered again', async () => {
    const first = deferred();
    const calls: string[] = [];
    @Injectable()
    class Slow {
      @IggyEventHandler('job.run', { group: 'workers' })
      async run(e: EventEnvelope<{ n: number }>, ctx: IggyEventContext): Promise<void> {
        calls.push(`${e.payload.n}@${ctx.getOffset()}`);
        if (e.payload.n === 1) await first.promise; // hangs in the first app
      }
    }
    const connector = await broker();
    const options = { ...fastOptions, handlers: { shutdownTimeoutMs: 100 } };
    const moduleRef = await createApp(connector, [Slow], options);
    await publish(
      connector,
      event({ tenantId: 'same', type: 'job.run', payload: { n: 0 } }),
      event({ tenantId: 'same', type: 'job.run', payload: { n: 1 } }),
    );
    await waitFor(() => calls.length === 2);
    await moduleRef.close(); // times out waiting for n=1, leaves without committing it
    expect(await groupLag(connector, 'workers')).toBe(1n);

    calls.length = 0;
    first.resolve();
    await app(connector, [Slow], options);
    await waitFor(() => calls.length === 1);
    expect(calls).toEqual(['1@1']);
    await waitFor(async () => (await groupLag(connector, 'workers')) === 0n);
  });

  it('skips an envelope id the group already handled (idempotency window), unless idempotent: false', async () => {
    const guarded: string[] = [];
    const unguarded: string[] = [];
    @Injectable()
    class Handlers {
      @IggyEventHandler('pay.*', { group: 'guarded' })
      a(e: EventEnvelope): void {
        guarded.push(e.id);
      }
      @IggyEventHandler('pay.*', { group: 'unguarded', idempotent: false })
      b(e: EventEnvelope): void {
        unguarded.push(e.id);
      }
    }
    const connector = await broker();
    const moduleRef = await app(connector, [Handlers]);
    const e = event({ tenantId: 't1', type: 'pay.done' });
    await publish(connector, e, event({ tenantId: 't1', type: 'pay.other' }), e);
    await waitFor(
      async () => (await groupLag(connector, 'guarded')) + (await groupLag(connector, 'unguarded')) === 0n,
    );
    expect(guarded).toHaveLength(2);
    expect(new Set(guarded).size).toBe(2);
    expect(unguarded).toHaveLength(3);
    expect(
      moduleRef
        .get(ConsumerGroupManager)
        .groups()
        .find((g) => g.group === 'guarded')!.skipped,
    ).toBe(1);
  });

  it('skips (and commits) requests: what IggyClientProxy.send publishes is not an event', async () => {
    const seen: string[] = [];
    @Injectable()
    class Orders {
      @IggyEventHandler('order.#', { group: 'orders' })
      on(envelope: EventEnvelope): void {
        seen.push(envelope.type);
      }
    }
    const connector = await broker();
    const moduleRef = await app(connector, [Orders]);
    const client = new IggyClientProxy({ connector, timeoutMs: 200 });
    cleanups.push(() => client.close());
    const answer = await firstValueFrom(client.send('order.quote', { tenantId: 'acme' })).catch(
      (err: unknown) => err,
    );
    expect(answer).toBeInstanceOf(IggyRequestTimeoutError);
    await publish(connector, event({ tenantId: 'acme', type: 'order.created' }));
    await waitFor(async () => (await groupLag(connector, 'orders')) === 0n, 5_000, 'the commits');
    expect(seen).toEqual(['order.created']);
    expect(moduleRef.get(ConsumerGroupManager).groups()[0]).toMatchObject({ handled: 1, skipped: 1 });
  });
});
