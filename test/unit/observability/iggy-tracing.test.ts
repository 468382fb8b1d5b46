/*
 * Traces through the module on the in-memory embedded broker, with @opentelemetry/sdk-trace-base's
 * in-memory exporter: no provider → no span and no header; with one, `emit` under an active span starts a
 * producer span whose context the handler's envelope carries, and each group's consumer span (its child)
 * records the handler's retries and its dead letter.
 */
import 'reflect-metadata';
import { SpanKind, context, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { Injectable } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { lastValueFrom } from 'rxjs';
import { NonRetryableError } from '../../../lib/dlq/non-retryable.error.js';
import type { EventEnvelope } from '../../../lib/events/event-envelope.js';
import { IggyEventHandler } from '../../../lib/handlers/iggy-event-handler.decorator.js';
import { IggyModule } from '../../../lib/module/iggy.module.js';
import { IGGY_TELEMETRY } from '../../../lib/observability/observability.constants.js';
import { IggyClientProxy } from '../../../lib/transport/iggy.client-proxy.js';
import { eventually, memoryConfig, recordLogs } from '../module/iggy-test-kit.js';
import { installTracing, registerTracerProvider, uninstallTracing } from '../../support/observability.js';

const exporter = new InMemorySpanExporter();
/** The `traceparent` each handled envelope carried, by its `n`. */
const seen = new Map<number, string | undefined>();
const flakyTries = new Map<string, number>();
let app: TestingModule | undefined;

@Injectable()
class Handlers {
  @IggyEventHandler('plain', { group: 'ok' })
  plain(envelope: EventEnvelope<{ n: number }>): void {
    seen.set(envelope.payload.n, envelope.headers.traceparent);
  }

  @IggyEventHandler('flaky', { group: 'ok' })
  flaky(envelope: EventEnvelope<{ n: number }>): void {
    const tries = (flakyTries.get(envelope.id) ?? 0) + 1;
    flakyTries.set(envelope.id, tries);
    if (tries === 1) throw new Error('first try fails');
    seen.set(envelope.payload.n, envelope.headers.traceparent);
  }

  @IggyEventHandler('poison', { group: 'bad' })
  poison(): void {
    throw new NonRetryableError('never');
  }
}

beforeAll(() => {
  recordLogs();
  installTracing();
});

afterEach(async () => {
  await app?.close();
  app = undefined;
});

afterAll(() => uninstallTracing());

async function boot(): Promise<TestingModule> {
  app = await Test.createTestingModule({
    imports: [
      IggyModule.forRoot(
        memoryConfig({
          retry: { attempts: 3, initialDelayMs: 1, maxDelayMs: 5, multiplier: 2, jitter: 0 },
          handlers: { commitIntervalMs: 10 },
        }),
      ),
    ],
    providers: [Handlers],
  }).compile();
  await app.init();
  return app;
}

function emit(moduleRef: TestingModule, type: string, n: number): Promise<unknown> {
  const client = moduleRef.get(IggyClientProxy);
  return lastValueFrom(client.emit(type, { tenantId: 't', n }), { defaultValue: undefined });
}

const consumerSpan = (spans: ReadableSpan[], group: string, type: string): ReadableSpan | undefined =>
  spans.find(
    (s) =>
      s.kind === SpanKind.CONSUMER &&
      s.attributes['messaging.consumer.group.name'] === group &&
      s.attributes['messaging.iggy.event.type'] === type,
  );

describe('tracing through the module', () => {
  it('without a tracer provider has no telemetry: no span, no header', async () => {
    const moduleRef = await boot();
    // @opentelemetry/api is installed here, but no provider is registered: no telemetry at all.
    expect(moduleRef.get(IGGY_TELEMETRY)).toBeNull();
    await emit(moduleRef, 'plain', 1);
    await eventually(() => seen.has(1));
    expect(seen.get(1)).toBeUndefined();
    expect(exporter.getFinishedSpans()).toHaveLength(0);
  });

  it('puts the producer span into the envelope; each group’s consumer span records retries and dead letters', async () => {
    registerTracerProvider(exporter);
    const moduleRef = await boot();
    const parent = trace.getTracer('test').startSpan('request');
    await context.with(trace.setSpan(context.active(), parent), async () => {
      await emit(moduleRef, 'plain', 2);
      await emit(moduleRef, 'flaky', 3);
      await emit(moduleRef, 'poison', 4);
    });
    parent.end();
    let spans: ReadableSpan[] = [];
    await eventually(() => {
      spans = exporter.getFinishedSpans();
      return (
        ['plain', 'flaky'].every((t) => consumerSpan(spans, 'ok', t)) &&
        !!consumerSpan(spans, 'bad', 'poison')
      );
    }, 10_000);

    const traceId = parent.spanContext().traceId;
    const producers = spans.filter((s) => s.kind === SpanKind.PRODUCER);
    expect(producers.map((s) => s.name)).toEqual(['send domain', 'send domain', 'send domain']);
    for (const producer of producers) {
      expect(producer.spanContext().traceId).toBe(traceId);
      expect(producer.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
      expect(producer.attributes).toMatchObject({
        'messaging.system': 'iggy',
        'messaging.destination.name': 'domain',
        'messaging.iggy.stream': 'test',
      });
    }
    // The handler's envelope carries the producer span's context (W3C traceparent).
    const plainProducer = producers.find((s) => s.attributes['messaging.iggy.event.type'] === 'plain')!;
    expect(seen.get(2)).toBe(`00-${traceId}-${plainProducer.spanContext().spanId}-01`);

    const plain = consumerSpan(spans, 'ok', 'plain')!;
    expect(plain.parentSpanContext?.spanId).toBe(plainProducer.spanContext().spanId);
    expect(plain.attributes['messaging.iggy.outcome']).toBe('handled');
    expect(plain.events).toHaveLength(0);

    const flaky = consumerSpan(spans, 'ok', 'flaky')!;
    expect(flaky.spanContext().traceId).toBe(traceId);
    expect(flaky.events.map((e) => e.name)).toEqual(['retried']);
    expect(flaky.events[0]!.attributes).toMatchObject({
      'messaging.iggy.handler': 'Handlers.flaky',
      'messaging.iggy.attempts': 2,
    });

    const poison = consumerSpan(spans, 'bad', 'poison')!;
    expect(poison.spanContext().traceId).toBe(traceId);
    const names = poison.events.map((e) => e.name);
    expect(names).toEqual(['exception', 'dead-lettered']);
    expect(poison.events[0]!.attributes?.['exception.message']).toBe('never');
    expect(poison.events[1]!.attributes?.['messaging.iggy.dead_letter.id']).toEqual(expect.any(String));
    // The other group skipped it: its span says so, without events.
    const skipped = consumerSpan(spans, 'ok', 'poison')!;
    expect(skipped.attributes['messaging.iggy.outcome']).toBe('skipped');
  });
});
