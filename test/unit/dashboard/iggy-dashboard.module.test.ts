import 'reflect-metadata';
import { afterEach, describe, expect, it } from '@jest/globals';
import { Injectable, type INestApplication, type Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { lastValueFrom } from 'rxjs';
import { EmbeddedServer } from '../../../lib/broker/embedded-server.js';
import type { DashboardSnapshot } from '../../../lib/dashboard/index.js';
import {
  EmbeddedConnector,
  IGGY_CONNECTOR,
  IggyClientProxy,
  IggyDashboardModule,
  IggyEventHandler,
  IggyModule,
  NonRetryableError,
  type EventEnvelope,
  type IggyDashboardOptions,
  type IggyModuleOptions,
} from '../../../lib/index.js';
import { waitFor } from '../handlers/handlers-kit.js';

@Injectable()
class Billing {
  handled = 0;

  @IggyEventHandler('order.created', { group: 'billing' })
  charge(envelope: EventEnvelope<{ poison?: boolean }>): void {
    if (envelope.payload.poison) throw new NonRetryableError('card declined');
    this.handled++;
  }
}

const fast: IggyModuleOptions = {
  streamName: 'shop',
  partitions: 2,
  retry: { attempts: 1, initialDelayMs: 5, maxDelayMs: 10 },
  handlers: { shutdownTimeoutMs: 2_000 },
};

async function startApp(
  iggy: IggyModuleOptions,
  dashboard: IggyDashboardOptions = {},
  host = '127.0.0.1',
): Promise<{ app: INestApplication; url: (path: string) => string }> {
  const moduleRef = await Test.createTestingModule({
    imports: [IggyModule.forRoot(iggy), IggyDashboardModule.forRoot(dashboard)],
    providers: [Billing as Type],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.listen(0, host);
  const { port } = app.getHttpServer().address() as { port: number };
  return { app, url: (path) => `http://127.0.0.1:${port}${path}` };
}

async function snapshot(url: string, init?: RequestInit): Promise<DashboardSnapshot> {
  const response = await fetch(url, init);
  expect(response.status).toBe(200);
  return (await response.json()) as DashboardSnapshot;
}

async function emitOrders(app: INestApplication, orders: { poison?: boolean }[]): Promise<void> {
  const client = app.get(IggyClientProxy);
  for (const [i, order] of orders.entries()) {
    await lastValueFrom(client.emit('order.created', { tenantId: `t${i % 3}`, ...order }));
  }
}

describe('IggyDashboardModule', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it("serves the app's view at its path and on the embedded broker's listener: groups' counters, dead letters per group and type", async () => {
    const { app, url } = await startApp(
      { ...fast, embedded: { persistent: false, tcpPort: null, httpPort: 0 } },
      { path: 'ops/iggy' },
    );
    cleanups.push(() => app.close());
    await emitOrders(app, [{}, {}, { poison: true }, {}]);
    await waitFor(() => app.get(Billing).handled === 3, 10_000, 'three orders billed');

    const view = await (async () => {
      let last: DashboardSnapshot | undefined;
      await waitFor(
        async () => {
          last = await snapshot(url('/ops/iggy/snapshot'));
          return last.deadLetters.status === 'ok' && last.deadLetters.data.length === 1;
        },
        10_000,
        'the dead letter on the dashboard',
      );
      return last!;
    })();
    expect(view.source).toBe('shop · embedded broker');
    const billing = view.groups.find((g) => g.key === 'shop/domain/billing')!;
    // `handled` counts every message its handlers took, the dead-lettered one too.
    expect(billing.run).toMatchObject({ state: 'running', handled: 4, deadLettered: 1 });
    expect(billing.members).toHaveLength(1);
    expect(view.deadLetters).toEqual({
      status: 'ok',
      data: [
        expect.objectContaining({
          key: 'billing/order.created',
          count: 1,
          lastError: { name: 'NonRetryableError', message: 'card declined' },
        }),
      ],
    });
    expect(view.outbox).toEqual({
      status: 'unavailable',
      reason: 'No outbox is configured (IggyModule `outbox`).',
    });
    expect(view.streams.find((s) => s.name === 'shop')!.topics.map((t) => t.name)).toEqual([
      'dlq',
      'domain',
      'system',
    ]);

    // The page knows where it is mounted.
    const page = await (await fetch(url('/ops/iggy'))).text();
    expect(page).toContain('src="/ops/iggy/dashboard.js"');

    // The broker's own listener shows the same view.
    const connector = app.get<EmbeddedConnector>(IGGY_CONNECTOR);
    const onBroker = await snapshot(`http://127.0.0.1:${connector.httpPort}/dashboard/snapshot`);
    expect(onBroker.source).toBe('shop · embedded broker');
    expect(onBroker.deadLetters).toMatchObject({ status: 'ok', data: [{ key: 'billing/order.created' }] });
  });

  it('closes with a page still following the feed', async () => {
    const { app, url } = await startApp({
      ...fast,
      embedded: { persistent: false, tcpPort: null, httpPort: null },
    });
    const feed = await fetch(url('/iggy/events'));
    const reader = feed.body!.getReader();
    expect(Buffer.from((await reader.read()).value!).toString()).toContain('retry: 3000');
    await app.close();
    for (;;) if ((await reader.read()).done) break;
  });

  it('on a remote server reads the module topics and the groups lag through the connector', async () => {
    const server = await EmbeddedServer.start({
      persistent: false,
      tcpPort: 0,
      httpPort: null,
      rootPassword: 'iggy',
    });
    cleanups.push(() => server.stop());
    const address = `127.0.0.1:${server.tcpAddress.port}`;
    const { app, url } = await startApp({ ...fast, mode: 'remote', remote: { addresses: [address] } });
    cleanups.push(() => app.close());
    await emitOrders(app, [{}, {}, {}, {}, {}]);
    await waitFor(() => app.get(Billing).handled === 5, 10_000, 'five orders billed');

    let view: DashboardSnapshot | undefined;
    await waitFor(
      async () => {
        view = await snapshot(url('/iggy/snapshot'));
        return view.groups.find((g) => g.name === 'billing')?.lag === 0;
      },
      10_000,
      'billing caught up on the dashboard',
    );
    expect(view!.source).toBe(`shop · remote ${address}`);
    const domain = view!.streams.find((s) => s.name === 'shop')!.topics.find((t) => t.name === 'domain')!;
    expect(domain.messages).toBe(5);
    const billing = view!.groups.find((g) => g.name === 'billing')!;
    expect(billing).toMatchObject({ members: null, run: { handled: 5, state: 'running' } });
    expect(billing.partitions.map((p) => p.partition)).toEqual([0, 1]);
    // The same figures as the server's own inspection.
    const onServer = server.broker.inspect().streams[0]!.topics.find((t) => t.name === 'domain')!;
    expect(domain.partitions.map((p) => p.messages)).toEqual(
      onServer.partitions.map((p) => Number(p.messagesCount)),
    );
  });

  it('bound off loopback, asks for its token', async () => {
    const { app, url } = await startApp(
      {
        ...fast,
        embedded: { persistent: false, tcpPort: null, httpPort: null, rootPassword: 'iggy' },
      },
      { token: 's3cret' },
      '0.0.0.0',
    );
    cleanups.push(() => app.close());
    expect((await fetch(url('/iggy/snapshot'))).status).toBe(401);
    expect((await fetch(url('/iggy'))).status).toBe(401);
    await snapshot(url('/iggy/snapshot'), { headers: { authorization: 'Bearer s3cret' } });
    expect((await fetch(url('/iggy?token=s3cret'))).status).toBe(200);
    // The embedded broker's users are accepted too.
    const basic = `Basic ${Buffer.from('iggy:iggy').toString('base64')}`;
    await snapshot(url('/iggy/snapshot'), { headers: { authorization: basic } });
  });
});
