import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import {
  Injectable,
  UseGuards,
  UseInterceptors,
  type CallHandler,
  type CanActivate,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import type { TestingModule } from '@nestjs/testing';
import { PublishRequest } from '../../../lib/connectors/publish-request.js';
import {
  DeadLetterWriter,
  DlqManager,
  IggyDlqInterceptor,
  NonRetryableError,
} from '../../../lib/dlq/index.js';
import type { EventEnvelope } from '../../../lib/events/event-envelope.js';
import { ConsumerGroupManager, IggyEventHandler } from '../../../lib/handlers/index.js';
import { IggyEventContext } from '../../../lib/consumer/index.js';
import {
  STREAM,
  TOPIC,
  createApp,
  event,
  fastOptions,
  groupLag,
  publish,
  startBroker,
  waitFor,
} from '../handlers/handlers-kit.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** An app's own global interceptor that only counts: with it, handlers run through Nest's pipeline. */
@Injectable()
class CountingInterceptor implements NestInterceptor {
  static calls = 0;
  intercept(_context: ExecutionContext, next: CallHandler) {
    CountingInterceptor.calls++;
    return next.handle();
  }
}

/**
 * How a handler is called: with the DLQ interceptor as its only enhancer, `HandlerExplorer` runs the
 * interceptor's policy around it directly; with another enhancer, through Nest's interceptor pipeline.
 */
const PATHS: [string, Parameters<typeof createApp>[1]][] = [
  ['direct (the DLQ interceptor is the only enhancer)', []],
  [
    'through Nest’s pipeline (the app has its own global interceptor)',
    [{ provide: APP_INTERCEPTOR, useClass: CountingInterceptor }],
  ],
];

let pathProviders: Parameters<typeof createApp>[1] = [];

async function setup(providers: Parameters<typeof createApp>[1], options = fastOptions) {
  const connector = await startBroker();
  cleanups.push(() => connector.shutdown());
  const moduleRef: TestingModule = await createApp(connector, [...pathProviders, ...providers], options);
  cleanups.push(() => moduleRef.close());
  return { connector, moduleRef, dlq: moduleRef.get(DlqManager) };
}

describe('the call path of @IggyEventHandler methods', () => {
  afterEach(() => {
    pathProviders = [];
  });

  it('is direct when the DLQ interceptor is the only enhancer, and Nest’s pipeline once the app adds one', async () => {
    @Injectable()
    class Counted {
      readonly seen: number[] = [];
      @IggyEventHandler('order.created', { group: 'counted' })
      on(e: EventEnvelope<{ n: number }>): void {
        this.seen.push(e.payload.n);
      }
    }
    const intercepted = jest.spyOn(IggyDlqInterceptor.prototype, 'intercept');
    const ran = jest.spyOn(IggyDlqInterceptor.prototype, 'run');
    cleanups.push(async () => {
      intercepted.mockRestore();
      ran.mockRestore();
    });
    for (const [extra, through] of [
      [[], 0],
      [PATHS[1]![1], 2],
    ] as const) {
      CountingInterceptor.calls = 0;
      intercepted.mockClear();
      ran.mockClear();
      pathProviders = [...extra];
      const { connector, moduleRef } = await setup([Counted]);
      await publish(connector, event({ tenantId: 't', type: 'order.created', payload: { n: 1 } }));
      await publish(connector, event({ tenantId: 't', type: 'order.created', payload: { n: 2 } }));
      await waitFor(async () => (await groupLag(connector, 'counted')) === 0n);
      expect(moduleRef.get(Counted).seen).toEqual([1, 2]);
      expect(CountingInterceptor.calls).toBe(through);
      expect([intercepted.mock.calls.length, ran.mock.calls.length]).toEqual(through ? [2, 0] : [0, 2]);
      while (cleanups.length > 1) await cleanups.pop()!();
    }
  });
});

describe.each(PATHS)('IggyDlqInterceptor, %s', (_path, providers) => {
  beforeEach(() => {
    pathProviders = providers;
  });
  afterEach(() => {
    pathProviders = [];
  });

  it('retries with backoff; a later success is not dead-lettered', async () => {
    const attempts: number[] = [];
    const times: number[] = [];
    @Injectable()
    class Flaky {
      @IggyEventHandler('order.created', {
        group: 'flaky',
        retry: { attempts: 4, initialDelayMs: 30, maxDelayMs: 1_000, jitter: 0 },
      })
      on(_e: EventEnvelope, ctx: IggyEventContext): void {
        attempts.push(ctx.getAttempt());
        times.push(Date.now());
        if (ctx.getAttempt() < 3) throw new Error('transient');
      }
    }
    const { connector, dlq } = await setup([Flaky]);
    await publish(connector, event({ tenantId: 't1', type: 'order.created' }));
    await waitFor(async () => (await groupLag(connector, 'flaky')) === 0n);
    expect(attempts).toEqual([1, 2, 3]);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(25); // 30 ms
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(55); // 60 ms
    expect(await dlq.list()).toEqual([]);
  });

  it('dead-letters after the last attempt with origin, handler, group, error and attempts, then commits', async () => {
    @Injectable()
    class Broken {
      @IggyEventHandler('order.created', { group: 'billing' })
      charge(): void {
        throw new TypeError('card declined');
      }
    }
    const { connector, moduleRef, dlq } = await setup([Broken]);
    const e = event({
      tenantId: 'acme',
      type: 'order.created',
      payload: { total: 5 },
      correlationId: 'flow-1',
    });
    await publish(connector, e);
    await waitFor(async () => (await groupLag(connector, 'billing')) === 0n);
    const [dead, ...rest] = await dlq.list();
    expect(rest).toEqual([]);
    expect(dead).toMatchObject({
      tenantId: 'acme',
      group: 'billing',
      handler: 'Broken.charge',
      eventType: 'order.created',
      eventId: e.id,
      attempts: 3,
      status: 'pending',
      origin: { stream: STREAM, topic: TOPIC, offset: 0n },
      error: { name: 'TypeError', message: 'card declined', nonRetryable: false },
    });
    expect(dead!.error.stack).toContain('card declined');
    expect(dead!.failedAt.getTime()).toBeGreaterThan(Date.now() - 10_000);
    const inspected = await dlq.inspect(dead!.id);
    expect(inspected!.envelope).toMatchObject({ id: e.id, payload: { total: 5 }, correlationId: 'flow-1' });
    expect(moduleRef.get(ConsumerGroupManager).groups()[0]!.deadLettered).toBe(1);
  });

  it('sends a NonRetryableError (or an error flagged nonRetryable) to the DLQ at once', async () => {
    let calls = 0;
    @Injectable()
    class Strict {
      @IggyEventHandler('order.created', { group: 'strict' })
      a(): void {
        calls++;
        throw new NonRetryableError('invalid order');
      }
      @IggyEventHandler('order.created', { group: 'flagged' })
      b(): void {
        calls++;
        throw Object.assign(new Error('bad'), { nonRetryable: true });
      }
    }
    const { connector, dlq } = await setup([Strict]);
    await publish(connector, event({ tenantId: 't', type: 'order.created' }));
    await waitFor(async () => (await dlq.list()).length === 2);
    expect(calls).toBe(2);
    const dead = await dlq.list();
    expect(dead.map((d) => [d.group, d.attempts, d.error.nonRetryable]).sort()).toEqual([
      ['flagged', 1, true],
      ['strict', 1, true],
    ]);
  });

  it('does not commit when the dead letter cannot be written; retries until it can', async () => {
    @Injectable()
    class Broken {
      @IggyEventHandler('order.created', { group: 'g' })
      on(): void {
        throw new Error('boom');
      }
    }
    const options = { ...fastOptions, dlq: { topic: 'dlq-missing' } };
    const { connector, moduleRef } = await setup([Broken], options);
    await publish(connector, event({ tenantId: 't', type: 'order.created' }));
    const manager = moduleRef.get(ConsumerGroupManager);
    await waitFor(() => manager.groups()[0]!.stalled.length === 1, 5_000, 'stalled partition');
    const stalled = manager.groups()[0]!.stalled[0]!;
    expect(stalled.offset).toBe(0n);
    expect(stalled.error).toContain('DeadLetterWriteError');
    expect(await groupLag(connector, 'g')).toBe(1n);

    await connector.ensureTopic(STREAM, { name: 'dlq-missing', partitions: 1 });
    await waitFor(
      async () => (await groupLag(connector, 'g')) === 0n,
      10_000,
      'committed after the DLQ came back',
    );
    expect(manager.groups()[0]!.stalled).toEqual([]);
    expect(await moduleRef.get(DlqManager).list()).toHaveLength(1);
  });
});

describe('IggyDlqInterceptor with the handler’s own enhancers', () => {
  it('dead-letters a message a guard refused, and an unreadable one; ignores non-Iggy calls', async () => {
    class Deny implements CanActivate {
      canActivate(): boolean {
        return false;
      }
    }
    let interceptorHits = 0;
    @Injectable()
    class Guarded {
      @IggyEventHandler('secret.*', { group: 'guarded' })
      @UseGuards(Deny)
      @UseInterceptors(IggyDlqInterceptor) // applied twice (global + here): one owns the call
      on(): void {
        interceptorHits++;
      }
    }
    const { connector, dlq, moduleRef } = await setup([Guarded]);
    await publish(connector, event({ tenantId: 't', type: 'secret.read' }));
    await connector.publish(
      PublishRequest.new(STREAM, TOPIC, 'x', Buffer.from('not an envelope'), crypto.randomUUID()),
    );
    await waitFor(async () => (await groupLag(connector, 'guarded')) === 0n);
    const dead = await dlq.list();
    expect(interceptorHits).toBe(0);
    expect(dead.map((d) => [d.handler, d.attempts, d.error.name]).sort()).toEqual([
      ['(routing)', 0, 'EnvelopeValidationError'],
      ['Guarded.on', 1, 'ForbiddenException'],
    ]);
    expect(dead.find((d) => d.handler === '(routing)')!.message.payload.toString()).toBe('not an envelope');

    // Outside Iggy handler calls the interceptor passes through.
    const interceptor = moduleRef.get(IggyDlqInterceptor);
    const { of, lastValueFrom } = await import('rxjs');
    const http = { getType: () => 'http' } as never;
    expect(await lastValueFrom(interceptor.intercept(http, { handle: () => of('ok') }))).toBe('ok');
    expect(moduleRef.get(DeadLetterWriter).enabled).toBe(true);
  });
});
