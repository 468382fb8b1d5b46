import 'reflect-metadata';
import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Module, type INestApplication } from '@nestjs/common';
import { Ctx, EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { firstValueFrom, lastValueFrom } from 'rxjs';
import type { EmbeddedConnector } from '../../../lib/connectors/embedded-connector.js';
import { DlqManager } from '../../../lib/dlq/dlq.manager.js';
import { partitionForTenant } from '../../../lib/events/tenant-partitioner.js';
import { IggyModule } from '../../../lib/module/iggy.module.js';
import type { IggyModuleOptions } from '../../../lib/module/interfaces/iggy-module-options.interface.js';
import { IggyClientProxy } from '../../../lib/transport/iggy.client-proxy.js';
import { IggyContext } from '../../../lib/consumer/iggy.context.js';
import { IggyRecord } from '../../../lib/transport/iggy-record.js';
import { IggyServer } from '../../../lib/transport/iggy.server.js';
import { REDRIVE_GROUP_HEADER } from '../../../lib/consumer/consumer.constants.js';
import { PARTITIONS, STREAM, TOPIC, startBroker, waitFor } from '../handlers/handlers-kit.js';
import { recordLogs, type RecordingLogger } from '../module/iggy-test-kit.js';

const GROUP = 'billing-server';
const fastRetry = { attempts: 3, initialDelayMs: 5, maxDelayMs: 20, multiplier: 2, jitter: 0 };

/** What the handlers saw; `failing` makes `charge` throw. */
const state = {
  failing: true,
  calls: [] as { tenant: string; attempt: number; group: string | undefined }[],
  charged: [] as string[],
  ok: [] as string[],
  quotes: 0,
};

@Controller()
class BillingController {
  @EventPattern<string>('invoice.due')
  charge(@Payload() _data: unknown, @Ctx() ctx: IggyContext): void {
    state.calls.push({ tenant: ctx.getTenantId(), attempt: ctx.getAttempt(), group: ctx.getGroup() });
    if (state.failing) throw new TypeError('card declined');
    state.charged.push(ctx.getTenantId());
  }

  @EventPattern<string>('invoice.ok')
  ok(@Payload() _data: unknown, @Ctx() ctx: IggyContext): void {
    state.ok.push(ctx.getTenantId());
  }

  @MessagePattern('invoice.quote')
  quote(): number {
    state.quotes++;
    throw new Error('no quote today');
  }
}

interface Booted {
  app: INestApplication;
  server: IggyServer;
  client: IggyClientProxy;
  dlq: DlqManager;
  handlerErrors: string[];
}

let connector: EmbeddedConnector;
let logs: RecordingLogger;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(() => {
  logs = recordLogs();
});
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
  Object.assign(state, { failing: true, calls: [], charged: [], ok: [], quotes: 0 });
});

/** A fresh in-memory broker shared by the apps of one test (the module does not shut it down). */
async function broker(): Promise<void> {
  connector = await startBroker();
  cleanups.push(() => connector.shutdown());
}

/** A hybrid app whose IggyServer reads as `GROUP` on the shared broker. */
async function boot(options: { module?: IggyModuleOptions; inheritAppConfig?: boolean } = {}) {
  @Module({
    imports: [
      IggyModule.forRoot({
        streamName: STREAM,
        partitions: PARTITIONS,
        connector: { useValue: connector },
        retry: fastRetry,
        ...options.module,
      }),
    ],
    controllers: [BillingController],
  })
  class AppModule {}
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
  const app = moduleRef.createNestApplication({ logger: logs });
  const server = IggyServer.fromApp(app, { group: GROUP, pollIntervalMs: 5 });
  const handlerErrors: string[] = [];
  server.on('handlerError', (err, ctx) => handlerErrors.push(`${ctx.getEventType()}: ${String(err)}`));
  app.connectMicroservice({ strategy: server }, { inheritAppConfig: options.inheritAppConfig ?? true });
  await app.startAllMicroservices();
  await app.init();
  let closed = false;
  const close = async (): Promise<void> => {
    if (!closed) await app.close();
    closed = true;
  };
  cleanups.push(close);
  const booted: Booted = {
    app,
    server,
    client: app.get(IggyClientProxy),
    dlq: app.get(DlqManager),
    handlerErrors,
  };
  return { ...booted, close };
}

async function emit(client: IggyClientProxy, pattern: string, data: unknown): Promise<void> {
  await lastValueFrom(client.emit(pattern, data), { defaultValue: undefined });
}

async function lagOf(partition: number): Promise<bigint> {
  const lags = await connector.consumerLag(STREAM, TOPIC, { kind: 'group', name: GROUP });
  return lags.find((p) => p.partition === partition)?.lag ?? -1n;
}

describe('IggyServer: failed @EventPattern handlers are never committed unhandled', () => {
  it('retries a failing handler, dead-letters it with its origin and error, then commits', async () => {
    await broker();
    const { client, dlq, handlerErrors } = await boot();
    await emit(client, 'invoice.due', new IggyRecord({ total: 5 }, { tenantId: 'acme' }));
    const partition = partitionForTenant('acme', PARTITIONS);
    await waitFor(async () => (await dlq.list()).length === 1, 5_000, 'a dead letter');
    await waitFor(async () => (await lagOf(partition)) === 0n, 5_000, 'the commit');

    expect(state.calls).toEqual([1, 2, 3].map((attempt) => ({ tenant: 'acme', attempt, group: GROUP })));
    const [dead] = await dlq.list();
    expect(dead).toMatchObject({
      group: GROUP,
      handler: 'BillingController.charge',
      tenantId: 'acme',
      eventType: 'invoice.due',
      attempts: 3,
      error: { name: 'TypeError', message: 'card declined', nonRetryable: false },
      origin: { stream: STREAM, topic: TOPIC, partition, offset: 0n },
      status: 'pending',
    });
    // The interceptor owned the failure and wrote the dead letter: the server saw a success.
    expect(handlerErrors).toEqual([]);
  });

  it('a passing handler commits; an event redriven for another group is skipped and committed', async () => {
    await broker();
    const { client } = await boot();
    await emit(client, 'invoice.ok', new IggyRecord({}, { tenantId: 'one' }));
    await emit(
      client,
      'invoice.ok',
      new IggyRecord({}, { tenantId: 'one', headers: { [REDRIVE_GROUP_HEADER]: 'someone-else' } }),
    );
    const partition = partitionForTenant('one', PARTITIONS);
    await waitFor(async () => (await lagOf(partition)) === 0n, 5_000, 'the commit');
    expect(state.ok).toEqual(['one']);
  });

  it('redrives a dead letter to this server group, where it then passes', async () => {
    await broker();
    const { client, dlq } = await boot();
    await emit(client, 'invoice.due', new IggyRecord({}, { tenantId: 'acme' }));
    await waitFor(async () => (await dlq.list()).length === 1, 5_000, 'a dead letter');
    state.failing = false;
    const [dead] = await dlq.list();
    const result = await dlq.redrive(dead!.id);
    expect(result).toMatchObject({ topic: TOPIC, partitionKey: 'acme', redriveCount: 1 });
    await waitFor(() => state.charged.length === 1, 5_000, 'the redriven event');
    await waitFor(async () => (await lagOf(partitionForTenant('acme', PARTITIONS))) === 0n);
    expect(state.calls.at(-1)).toEqual({ tenant: 'acme', attempt: 1, group: GROUP });
    expect(await dlq.list()).toEqual([]);
  });

  it('with the DLQ off: the partition stalls uncommitted, others go on; a new server delivers it again', async () => {
    await broker();
    const [stuck, free] = ['acme', 'zeta'];
    const stuckPartition = partitionForTenant(stuck, PARTITIONS);
    const freePartition = partitionForTenant(free, PARTITIONS);
    expect(stuckPartition).not.toBe(freePartition);

    const first = await boot({ module: { dlq: { enabled: false } } });
    await emit(first.client, 'invoice.due', new IggyRecord({}, { tenantId: stuck }));
    await emit(first.client, 'invoice.ok', new IggyRecord({}, { tenantId: free }));
    await waitFor(() => state.ok.includes(free), 5_000, 'the other partition');
    await waitFor(() => first.server.stalled().length === 1 && first.handlerErrors.length >= 2);
    expect(first.server.stalled()[0]).toMatchObject({
      partition: stuckPartition,
      offset: 0n,
      error: expect.stringContaining('card declined'),
    });
    // Each delivery went through the interceptor's retries: 3 calls, then the server tried again.
    expect(state.calls.length).toBeGreaterThanOrEqual(6);
    expect(first.handlerErrors[0]).toContain('invoice.due');
    await waitFor(async () => (await lagOf(freePartition)) === 0n, 5_000, 'the free partition commit');
    expect(await lagOf(stuckPartition)).toBe(1n);
    expect(await first.dlq.list()).toEqual([]);
    await first.close();
    expect(await lagOf(stuckPartition)).toBe(1n);

    state.failing = false;
    const callsBefore = state.calls.length;
    await boot({ module: { dlq: { enabled: false } } });
    await waitFor(() => state.charged.length > 0, 5_000, 'the redelivery');
    await waitFor(async () => (await lagOf(stuckPartition)) === 0n, 5_000, 'the commit');
    expect(state.charged).toEqual([stuck]);
    expect(state.calls.length).toBe(callsBefore + 1);
    expect(state.ok).toEqual([free]);
  });

  it('without inheritAppConfig, dead-letters a failed event itself at once (and says how to fix it)', async () => {
    await broker();
    const { client, dlq, handlerErrors } = await boot({ inheritAppConfig: false });
    await emit(client, 'invoice.due', new IggyRecord({}, { tenantId: 'acme' }));
    await waitFor(async () => (await dlq.list()).length === 1, 5_000, 'a dead letter');
    await waitFor(async () => (await lagOf(partitionForTenant('acme', PARTITIONS))) === 0n);
    expect(state.calls).toHaveLength(1);
    const [dead] = await dlq.list();
    expect(dead).toMatchObject({ group: GROUP, handler: 'invoice.due', attempts: 1 });
    expect(dead!.error.message).toBeTruthy();
    expect(handlerErrors).toHaveLength(1);
    expect(logs.lines.some((l) => l.startsWith('warn') && l.includes('inheritAppConfig: true'))).toBe(true);
  });

  it('answers a failing @MessagePattern with the error, without retries, and commits it', async () => {
    await broker();
    const { client, dlq } = await boot();
    await expect(firstValueFrom(client.send('invoice.quote', { tenantId: 'acme' }))).rejects.toMatchObject({
      status: 'error',
    });
    await waitFor(async () => (await lagOf(partitionForTenant('acme', PARTITIONS))) === 0n);
    expect(state.quotes).toBe(1);
    expect(await dlq.list()).toEqual([]);
  });
});
