/*
 * What the sample app's operators see of it. One trace through Iggy: HTTP `POST /orders` (a server span,
 * as HTTP instrumentation would start it) → `publishInTx` (the outbox row keeps the context) → the relay's
 * `send domain` span → a `process domain` span in each of the `billing` and `notifications` groups, all in
 * the sample app over the real broker; and its `/metrics`, where the same order shows up in the groups',
 * producers' and outbox's metrics.
 */
import { ROOT_CONTEXT, SpanKind, context, propagation, trace, type Span } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { installTracing, sample, uninstallTracing } from '../support/observability.js';
import { InProcessApp, order } from './e2e-kit.js';

const exporter = new InMemorySpanExporter();
let app: InProcessApp | undefined;

beforeAll(() => installTracing(exporter));

afterAll(async () => {
  await app?.close();
  uninstallTracing();
});

/** A server span per HTTP request, its context active while Nest handles it (what HTTP instrumentation does). */
function serverSpans(nest: INestApplication): void {
  const tracer = trace.getTracer('test-http');
  nest.use(
    (
      req: { method: string; path: string; headers: Record<string, string> },
      res: { on(event: 'finish', listener: () => void): void },
      next: () => void,
    ) => {
      const parent = propagation.extract(ROOT_CONTEXT, req.headers);
      const span: Span = tracer.startSpan(`${req.method} ${req.path}`, { kind: SpanKind.SERVER }, parent);
      res.on('finish', () => span.end());
      context.with(trace.setSpan(parent, span), next);
    },
  );
}

const attr = (span: ReadableSpan, key: string): unknown => span.attributes[key];

function processSpan(spans: ReadableSpan[], group: string, eventId: string): ReadableSpan | undefined {
  return spans.find(
    (s) =>
      s.name === 'process domain' &&
      attr(s, 'messaging.consumer.group.name') === group &&
      attr(s, 'messaging.iggy.event.type') === 'order.created' &&
      attr(s, 'messaging.iggy.outcome') === 'handled' &&
      attr(s, 'messaging.message.id') === eventId,
  );
}

describe('observability of the sample app', () => {
  it('follows POST /orders through the outbox relay to both groups in one trace', async () => {
    app = await InProcessApp.start({}, serverSpans);
    const placed = await app.post<{ eventId: string }>('/orders', order('trace-tenant', 'ord-trace-1'));
    expect(placed.status).toBe(201);
    const eventId = placed.body.eventId;

    let spans: ReadableSpan[];
    const until = Date.now() + 20_000;
    for (;;) {
      spans = exporter.getFinishedSpans();
      if (processSpan(spans, 'billing', eventId) && processSpan(spans, 'notifications', eventId)) break;
      if (Date.now() > until) throw new Error(`no process spans; got ${spans.map((s) => s.name).join(', ')}`);
      await new Promise((r) => setTimeout(r, 50));
    }

    const server = spans.find((s) => s.name === 'POST /orders')!;
    expect(server).toBeDefined();
    const traceId = server.spanContext().traceId;
    const relay = spans.find(
      (s) =>
        s.name === 'send domain' &&
        s.kind === SpanKind.PRODUCER &&
        s.parentSpanContext?.spanId === server.spanContext().spanId,
    );
    expect(relay).toBeDefined();
    expect(relay!.spanContext().traceId).toBe(traceId);
    expect(attr(relay!, 'messaging.system')).toBe('iggy');
    expect(attr(relay!, 'messaging.iggy.event.type')).toBe('order.created');

    for (const group of ['billing', 'notifications']) {
      const consumer = processSpan(spans, group, eventId)!;
      expect(consumer.kind).toBe(SpanKind.CONSUMER);
      expect(consumer.spanContext().traceId).toBe(traceId);
      expect(consumer.parentSpanContext?.spanId).toBe(relay!.spanContext().spanId);
      expect(consumer.attributes).toMatchObject({
        'messaging.system': 'iggy',
        'messaging.operation.type': 'process',
        'messaging.destination.name': 'domain',
        'messaging.iggy.stream': expect.any(String),
        'messaging.destination.partition.id': expect.stringMatching(/^\d+$/),
        'messaging.iggy.message.offset': expect.any(Number),
      });
    }
  });

  // The app and the order of the test above.
  it('serves the order on /metrics: both groups handled it, the relay published it, no tenant in a label', async () => {
    const metrics = await app!.get<string>('/metrics');
    expect(metrics.status).toBe(200);
    const text = metrics.body;
    for (const group of ['billing', 'notifications']) {
      expect(sample(text, `nestjs_iggy_consumer_handled_total{group="${group}",type="order.created"}`)).toBe(
        1,
      );
      expect(text).toMatch(
        new RegExp(`^nestjs_iggy_consumer_lag\\{[^}]*group="${group}"[^}]*\\} \\d+$`, 'm'),
      );
    }
    expect(text).toMatch(
      /^nestjs_iggy_producer_published_total\{stream="[^"]+",topic="domain",type="order.created"\} 1$/m,
    );
    expect(sample(text, 'nestjs_iggy_outbox_published_total')).toBe(1);
    expect(text).not.toMatch(/trace-tenant|ord-trace-1/);
  });
});
