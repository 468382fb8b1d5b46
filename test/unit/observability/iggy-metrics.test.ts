import 'reflect-metadata';
import { Controller, Injectable } from '@nestjs/common';
import { EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { Test, type TestingModule } from '@nestjs/testing';
import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { lastValueFrom } from 'rxjs';
import { NonRetryableError } from '../../../lib/dlq/non-retryable.error.js';
import type { EventEnvelope } from '../../../lib/events/event-envelope.js';
import { IggyEventHandler } from '../../../lib/handlers/iggy-event-handler.decorator.js';
import { IggyModule } from '../../../lib/module/iggy.module.js';
import { IggyMetrics } from '../../../lib/observability/iggy-metrics.js';
import { IGGY_TELEMETRY } from '../../../lib/observability/observability.constants.js';
import { IggyClientProxy } from '../../../lib/transport/iggy.client-proxy.js';
import { IggyRequestTimeoutError } from '../../../lib/transport/transport-errors.js';
import { eventually, memoryConfig, recordLogs } from '../module/iggy-test-kit.js';
import { startHybrid, type HybridApp } from '../transport/transport-kit.js';
import { sample } from '../../support/observability.js';

let app: TestingModule | undefined;
let hybrid: HybridApp | undefined;
beforeAll(() => void recordLogs());
afterEach(async () => {
  await app?.close();
  await hybrid?.app.close();
  app = undefined;
  hybrid = undefined;
});

const flaky = new Map<string, number>();

@Injectable()
class OkHandlers {
  @IggyEventHandler('order.created', { group: 'ok' })
  created(): void {}

  @IggyEventHandler('flaky', { group: 'ok' })
  flaky(envelope: EventEnvelope<{ n: number }>): void {
    const tries = (flaky.get(envelope.id) ?? 0) + 1;
    flaky.set(envelope.id, tries);
    if (tries === 1) throw new Error('first try fails');
  }
}

@Controller()
class EchoController {
  @MessagePattern('echo')
  echo(@Payload() data: { text: string }): string {
    return data.text;
  }

  @MessagePattern('refuse')
  refuse(): string {
    throw new Error('no');
  }

  @EventPattern('noted')
  noted(@Payload() data: unknown): unknown {
    return data;
  }
}

@Injectable()
class BadHandlers {
  @IggyEventHandler('poison', { group: 'bad' })
  poison(): void {
    throw new NonRetryableError('never');
  }
}

async function boot(metrics: IggyModuleMetrics, httpPort: number | null = null): Promise<TestingModule> {
  app = await Test.createTestingModule({
    imports: [
      IggyModule.forRoot(
        memoryConfig({
          metrics,
          tracing: false,
          embedded: { httpPort },
          retry: { attempts: 3, initialDelayMs: 1, maxDelayMs: 5, multiplier: 2, jitter: 0 },
          requestReply: { timeoutMs: 200 },
          handlers: { commitIntervalMs: 10 },
        }),
      ),
    ],
    providers: [OkHandlers, BadHandlers],
  }).compile();
  await app.init();
  return app;
}

type IggyModuleMetrics = boolean | { maxEventTypes?: number };

describe('IggyMetrics in the module', () => {
  it('counts what producers, handler groups and requests did, with the broker metrics in one exposition', async () => {
    const moduleRef = await boot(true, 0);
    const metrics = moduleRef.get(IggyMetrics);
    const client = moduleRef.get(IggyClientProxy);
    const emit = (type: string, payload: object): Promise<unknown> =>
      lastValueFrom(client.emit(type, { tenantId: 't-1', ...payload }), { defaultValue: undefined });
    await emit('order.created', { n: 1 });
    await emit('order.created', { n: 2 });
    await emit('flaky', { n: 3 });
    await emit('poison', { n: 4 });
    await expect(lastValueFrom(client.send('nobody.answers', { tenantId: 't-1' }))).rejects.toBeInstanceOf(
      IggyRequestTimeoutError,
    );

    let text = '';
    await eventually(async () => {
      text = await metrics.metrics();
      return (
        sample(text, 'nestjs_iggy_consumer_handled_total{group="ok",type="flaky"}') === 1 &&
        sample(text, 'nestjs_iggy_consumer_dead_lettered_total{group="bad",type="poison"}') === 1 &&
        sample(text, 'nestjs_iggy_consumer_skipped_total{group="bad",reason="request"}') === 1
      );
    });
    const p = 'stream="test",topic="domain"';
    expect(sample(text, `nestjs_iggy_producer_published_total{${p},type="order.created"}`)).toBe(2);
    expect(sample(text, `nestjs_iggy_producer_published_total{${p},type="nobody.answers"}`)).toBe(1);
    expect(sample(text, `nestjs_iggy_producer_publish_duration_seconds_count{${p}}`)).toBe(5);
    // Batches as the publish path sent them (events, dead letters and replies alike), and their bytes.
    const batches = sample(text, `nestjs_iggy_producer_batch_size_count{${p}}`)!;
    expect(batches).toBeGreaterThanOrEqual(1);
    expect(sample(text, `nestjs_iggy_producer_batch_size_sum{${p}}`)).toBeGreaterThanOrEqual(5);
    expect(sample(text, `nestjs_iggy_producer_sent_bytes_total{${p}}`)).toBeGreaterThan(0);
    expect(sample(text, 'nestjs_iggy_consumer_handled_total{group="ok",type="order.created"}')).toBe(2);
    expect(sample(text, 'nestjs_iggy_consumer_retried_total{group="ok",type="flaky"}')).toBe(1);
    expect(sample(text, 'nestjs_iggy_consumer_failed_total{group="ok",type="flaky"}')).toBeUndefined();
    expect(sample(text, 'nestjs_iggy_consumer_failed_total{group="bad",type="poison"}')).toBe(1);
    expect(sample(text, 'nestjs_iggy_consumer_unmatched_total{group="bad",type="order.created"}')).toBe(2);
    expect(sample(text, 'nestjs_iggy_consumer_skipped_total{group="ok",reason="unmatched"}')).toBe(1);
    expect(
      sample(text, 'nestjs_iggy_consumer_handler_duration_seconds_count{group="ok",type="order.created"}'),
    ).toBe(2);
    expect(sample(text, 'nestjs_iggy_consumer_in_flight{group="ok"}')).toBe(0);
    expect(sample(text, 'nestjs_iggy_requests_total{type="nobody.answers"}')).toBe(1);
    expect(sample(text, 'nestjs_iggy_request_timeouts_total{type="nobody.answers"}')).toBe(1);
    // Lag per group and partition, read at scrape time; every message is committed in the end.
    await eventually(async () => {
      text = await metrics.metrics();
      const lags = text.split('\n').filter((l) => l.startsWith('nestjs_iggy_consumer_lag{'));
      return lags.length === 8 && lags.every((l) => l.endsWith(' 0'));
    });
    expect(text).toMatch(
      /^nestjs_iggy_consumer_lag\{stream="test",topic="domain",group="bad",partition="\d"\} 0$/m,
    );
    expect(sample(text, 'nestjs_iggy_consumer_commit_duration_seconds_count{group="ok"}')).toBeGreaterThan(0);
    // The embedded broker's own metrics come in the same exposition.
    expect(text).toMatch(/^# TYPE iggy_requests_total counter$/m);
    // Never a tenant or an event id as a label.
    expect(text).not.toMatch(/t-1|tenant/);
  });

  it('bounds the event types it keeps as label values', async () => {
    const moduleRef = await boot({ maxEventTypes: 2 });
    const client = moduleRef.get(IggyClientProxy);
    for (const type of ['a', 'b', 'c', 'd']) {
      await lastValueFrom(client.emit(type, { tenantId: 't' }), { defaultValue: undefined });
    }
    const text = await moduleRef.get(IggyMetrics).metrics();
    const p = 'stream="test",topic="domain"';
    expect(sample(text, `nestjs_iggy_producer_published_total{${p},type="a"}`)).toBe(1);
    expect(sample(text, `nestjs_iggy_producer_published_total{${p},type="b"}`)).toBe(1);
    expect(sample(text, `nestjs_iggy_producer_published_total{${p},type="other"}`)).toBe(2);
  });

  it('is off by default: no IggyMetrics, and with tracing off no telemetry at all', async () => {
    const moduleRef = await boot(false);
    expect(moduleRef.get(IggyMetrics)).toBeNull();
    expect(moduleRef.get(IGGY_TELEMETRY)).toBeNull();
  });

  it('counts an IggyServer group and request/reply: requests, replies by status, handled by type', async () => {
    hybrid = await startHybrid([EchoController], { module: memoryConfig({ metrics: true, tracing: false }) });
    const client = hybrid.app.get(IggyClientProxy);
    await expect(lastValueFrom(client.send('echo', { tenantId: 't', text: 'hi' }))).resolves.toBe('hi');
    await expect(lastValueFrom(client.send('refuse', { tenantId: 't' }))).rejects.toBeDefined();
    await lastValueFrom(client.emit('noted', { tenantId: 't' }), { defaultValue: undefined });
    const metrics = hybrid.app.get(IggyMetrics);
    let text = '';
    await eventually(async () => {
      text = await metrics.metrics();
      return sample(text, 'nestjs_iggy_consumer_handled_total{group="test-server",type="noted"}') === 1;
    });
    expect(sample(text, 'nestjs_iggy_requests_total{type="echo"}')).toBe(1);
    expect(sample(text, 'nestjs_iggy_replies_total{type="echo",status="ok"}')).toBe(1);
    expect(sample(text, 'nestjs_iggy_replies_total{type="refuse",status="error"}')).toBe(1);
    expect(sample(text, 'nestjs_iggy_consumer_handled_total{group="test-server",type="echo"}')).toBe(1);
    expect(
      sample(text, 'nestjs_iggy_consumer_handler_duration_seconds_count{group="test-server",type="refuse"}'),
    ).toBe(1);
    // A request handler's error is its answer (an error reply), counted where it arrives.
    expect(
      sample(text, 'nestjs_iggy_consumer_failed_total{group="test-server",type="refuse"}'),
    ).toBeUndefined();
  });
});
