import 'reflect-metadata';
import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import { cleanUp, eventually } from '../support/app-process.js';
import { InProcessApp, order, orderIds, type HandledReply } from './e2e-kit.js';

/** The sample app in the test process (Nest testing module), driven over HTTP. */
describe('sample app: orders, dead letters, request/response', () => {
  let app: InProcessApp | undefined;

  afterEach(async () => {
    await app?.close();
    app = undefined;
  });
  afterAll(cleanUp);

  it('orders of 5 tenants (20 each, interleaved) are handled by billing and notifications in per-tenant order', async () => {
    app = await InProcessApp.start();
    const tenants = ['acme', 'globex', 'initech', 'umbrella', 'hooli'];
    const placed = new Map<string, string[]>();
    await Promise.all(
      tenants.map(async (tenant) => {
        const ids: string[] = [];
        for (let i = 0; i < 20; i++) {
          const reply = await app!.post<{ order: { orderId: string }; eventId: string }>(
            '/orders',
            order(tenant, `${tenant}-${String(i).padStart(2, '0')}`),
          );
          expect(reply.status).toBe(201);
          expect(reply.body.eventId).toMatch(/^[0-9a-f-]{36}$/);
          ids.push(reply.body.order.orderId);
        }
        placed.set(tenant, ids);
      }),
    );
    for (const tenant of tenants) {
      const reply = await eventually(`all orders of ${tenant} handled`, async () => {
        const { body } = await app!.get<HandledReply>(`/orders/${tenant}/handled`);
        const done =
          orderIds(body, 'billing').length >= 20 &&
          orderIds(body, 'notifications').length >= 20 &&
          orderIds(body, 'notifications', 'invoice.issued').length >= 20;
        return done && body;
      });
      const expected = placed.get(tenant);
      expect(orderIds(reply, 'billing')).toEqual(expected);
      expect(orderIds(reply, 'notifications')).toEqual(expected);
      expect(orderIds(reply, 'notifications', 'invoice.issued')).toEqual(expected);
      // One tenant, one partition.
      expect(new Set(reply.groups.billing!.map((e) => e.partition)).size).toBe(1);
    }
  });

  it('a poison order is dead-lettered after its retries; after the fix a redrive handles it', async () => {
    app = await InProcessApp.start({ retry: { attempts: 3, initialDelayMs: 20, maxDelayMs: 100 } });
    expect((await app.post('/orders', order('acme', 'bad-1', { poison: true }))).status).toBe(201);
    expect((await app.post('/orders', order('acme', 'good-2'))).status).toBe(201);

    const [dead] = await eventually('the poison order in the DLQ', async () => {
      const { body } = await app!.get<DeadLetterView[]>('/dlq');
      return body.length > 0 && body;
    });
    expect(dead).toMatchObject({
      status: 'pending',
      tenantId: 'acme',
      group: 'billing',
      handler: 'BillingHandlers.onOrderCreated',
      eventType: 'order.created',
      attempts: 3,
      error: { name: 'Error', message: expect.stringContaining('rejected poison order bad-1') },
      origin: { topic: 'domain' },
    });
    // The partition went on: the next order of the tenant was billed; notifications never failed.
    const after = await eventually('good-2 billed', async () => {
      const { body } = await app!.get<HandledReply>('/orders/acme/handled');
      return orderIds(body, 'billing').includes('good-2') && body;
    });
    expect(orderIds(after, 'billing')).toEqual(['good-2']);
    expect(orderIds(after, 'notifications')).toEqual(['bad-1', 'good-2']);

    // Deploy the fix, then redrive.
    expect((await app.post('/admin/fix-poison', {})).body).toEqual({ fixed: true });
    const redrive = await app.post<{ redriven: { deadLetterId: string; redriveCount: number }[] }>(
      '/dlq/redrive',
      {
        id: dead!.id,
      },
    );
    expect(redrive.status).toBe(200);
    expect(redrive.body.redriven).toEqual([
      expect.objectContaining({ deadLetterId: dead!.id, redriveCount: 1 }),
    ]);

    const fixed = await eventually('bad-1 billed after the redrive', async () => {
      const { body } = await app!.get<HandledReply>('/orders/acme/handled');
      return orderIds(body, 'notifications', 'invoice.issued').includes('bad-1') && body;
    });
    expect(orderIds(fixed, 'billing')).toEqual(['good-2', 'bad-1']);
    expect(fixed.groups.billing!.at(-1)!.redriven).toBe(1);
    // Only billing got the redriven event: notifications handled the order once.
    expect(orderIds(fixed, 'notifications')).toEqual(['bad-1', 'good-2']);
    expect((await app.get<DeadLetterView[]>('/dlq')).body).toEqual([]);
    const settled = await app.get<DeadLetterView[]>('/dlq?status=redriven');
    expect(settled.body.map((d) => d.id)).toEqual([dead!.id]);
  });

  it('send() gets its answer, and times out cleanly when nobody answers', async () => {
    app = await InProcessApp.start({ requestReply: { timeoutMs: 800 } });
    const body = {
      tenantId: 'acme',
      items: [
        { sku: 'book', quantity: 2 },
        { sku: 'pen', quantity: 3 },
      ],
    };
    const quote = await app.post('/quotes', body);
    expect(quote).toEqual({
      status: 200,
      body: {
        tenantId: 'acme',
        lines: [
          { sku: 'book', quantity: 2, unitPrice: 11 },
          { sku: 'pen', quantity: 3, unitPrice: 10 },
        ],
        total: 52,
        quotedBy: 'in-process',
      },
    });
    const started = Date.now();
    const unanswered = await app.post<{ statusCode: number; message: string }>('/quotes/unanswered', body);
    const elapsed = Date.now() - started;
    expect(unanswered.status).toBe(504);
    expect(unanswered.body.message).toMatch(/^no reply to 'order.appraise' within 800 ms/);
    expect(elapsed).toBeGreaterThanOrEqual(750);
    expect(elapsed).toBeLessThan(3_000);
    // The app still answers afterwards.
    expect((await app.post('/quotes', body)).status).toBe(200);
  });
});

interface DeadLetterView {
  id: string;
  status: string;
  tenantId: string;
  group: string;
  handler: string;
  attempts: number;
  error: { name: string; message: string };
}
