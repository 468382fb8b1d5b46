import 'reflect-metadata';
import {
  Controller,
  Injectable,
  UseFilters,
  UseGuards,
  UseInterceptors,
  type ArgumentsHost,
  type CallHandler,
  type CanActivate,
  type ExceptionFilter,
  type ExecutionContext,
  type NestInterceptor,
  type PipeTransform,
} from '@nestjs/common';
import { Catch } from '@nestjs/common';
import { Ctx, EventPattern, MessagePattern, Payload, RpcException } from '@nestjs/microservices';
import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { firstValueFrom, map, throwError, type Observable } from 'rxjs';
import type { IggyConnector } from '../../../lib/connectors/iggy-connector.js';
import { partitionForTenant } from '../../../lib/events/tenant-partitioner.js';
import { IGGY_CONNECTOR } from '../../../lib/module/iggy.constants.js';
import { IggyClientProxy } from '../../../lib/transport/iggy.client-proxy.js';
import { IggyContext } from '../../../lib/consumer/iggy.context.js';
import { IggyRecord } from '../../../lib/transport/iggy-record.js';
import { eventually, recordLogs, type RecordingLogger } from '../module/iggy-test-kit.js';
import { deferred, startHybrid, type HybridApp } from './transport-kit.js';

interface Seen {
  handler: string;
  data: unknown;
  tenant: string;
  type: string;
  pattern: string;
  stream: string;
  topic: string;
  partition: number;
  offset: bigint;
  timestamp: bigint;
  headers: Record<string, string>;
  actor: string | undefined;
}
const seen: Seen[] = [];
const note = (handler: string, data: unknown, ctx: IggyContext): void => {
  seen.push({
    handler,
    data,
    tenant: ctx.getTenantId(),
    type: ctx.getEventType(),
    pattern: ctx.getPattern(),
    stream: ctx.getStream(),
    topic: ctx.getTopic(),
    partition: ctx.getPartition(),
    offset: ctx.getOffset(),
    timestamp: ctx.getTimestamp(),
    headers: ctx.getHeaders(),
    actor: ctx.getEnvelope().actorId,
  });
};

/** Pipe: the payload's `value`, times ten. */
class ValueTimesTenPipe implements PipeTransform {
  transform(data: { value: number }): number {
    return data.value * 10;
  }
}

/** Interceptor: adds one to the handler's result and counts calls. */
@Injectable()
class AddOneInterceptor implements NestInterceptor {
  static calls = 0;
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    AddOneInterceptor.calls++;
    return next.handle().pipe(map((v) => (v as number) + 1));
  }
}

/** Filter: turns any error into `{ code: 'FILTERED', message }` for the caller. */
@Catch()
class FilteredErrors implements ExceptionFilter {
  static caught: string[] = [];
  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    const message = exception instanceof Error ? exception.message : String(exception);
    FilteredErrors.caught.push(message);
    return throwError(() => ({ code: 'FILTERED', message }));
  }
}

/** Guard: refuses the tenant `blocked`. */
class TenantGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    return context.switchToRpc().getContext<IggyContext>().getTenantId() !== 'blocked';
  }
}

const slow = { started: deferred(), release: deferred(), finished: false };

@Controller()
class OrdersController {
  @EventPattern<string>('order.created')
  created(@Payload() data: unknown, @Ctx() ctx: IggyContext): void {
    note('created', data, ctx);
  }

  @EventPattern<string>('order.*')
  anyOrder(@Payload() data: unknown, @Ctx() ctx: IggyContext): void {
    note('order.*', data, ctx);
  }

  @EventPattern<string>('order.#')
  deepOrder(@Payload() data: unknown, @Ctx() ctx: IggyContext): void {
    note('order.#', data, ctx);
  }

  @UseGuards(TenantGuard)
  @EventPattern<string>('guarded.event')
  guarded(@Payload() data: unknown, @Ctx() ctx: IggyContext): void {
    note('guarded', data, ctx);
  }

  @UseInterceptors(AddOneInterceptor)
  @MessagePattern('math.times-ten-plus-one')
  timesTen(@Payload(new ValueTimesTenPipe()) value: number): number {
    return value;
  }

  @UseFilters(FilteredErrors)
  @MessagePattern('math.fail')
  fail(): number {
    throw new Error('boom');
  }

  @MessagePattern('math.rpc-error')
  rpcError(): number {
    throw new RpcException({ code: 'E_RPC', detail: 'nope' });
  }

  @MessagePattern('math.*')
  async wildcardRequest(@Payload() data: { value: number }, @Ctx() ctx: IggyContext): Promise<string> {
    return `${ctx.getEventType()}:${data.value}:${ctx.getRequest()?.replyTo}`;
  }

  @EventPattern<string>('slow.job')
  async slowJob(): Promise<void> {
    slow.started.resolve();
    await slow.release.promise;
    slow.finished = true;
  }
}

let hybrid: HybridApp | undefined;
let logs: RecordingLogger;
beforeAll(() => {
  logs = recordLogs();
});
afterEach(async () => {
  await hybrid?.app.close();
  hybrid = undefined;
  seen.length = 0;
});

async function start(): Promise<{ client: IggyClientProxy; connector: IggyConnector }> {
  hybrid = await startHybrid([OrdersController]);
  return {
    client: hybrid.app.get(IggyClientProxy),
    connector: hybrid.app.get<IggyConnector>(IGGY_CONNECTOR),
  };
}

describe('IggyServer in a hybrid app', () => {
  it('dispatches @EventPattern by exact type and wildcards, with the IggyContext filled', async () => {
    const { client } = await start();
    await firstValueFrom(
      client.emit(
        'order.created',
        new IggyRecord({ id: 1 }, { tenantId: 'acme', actorId: 'u-7', headers: { trace: 't-1' } }),
      ),
      {
        defaultValue: undefined,
      },
    );
    await firstValueFrom(client.emit('order.line.added', { tenantId: 'acme', line: 2 }), {
      defaultValue: undefined,
    });
    await eventually(() => seen.length === 4);
    const byHandler = (h: string): Seen[] => seen.filter((s) => s.handler === h);
    expect(byHandler('created')).toHaveLength(1);
    expect(byHandler('order.*').map((s) => s.type)).toEqual(['order.created']);
    expect(byHandler('order.#').map((s) => s.type)).toEqual(['order.created', 'order.line.added']);
    const first = byHandler('created')[0]!;
    expect(first).toMatchObject({
      data: { id: 1 },
      tenant: 'acme',
      type: 'order.created',
      pattern: 'order.created',
      stream: 'test',
      topic: 'domain',
      partition: partitionForTenant('acme', 4),
      offset: 0n,
      headers: { trace: 't-1' },
      actor: 'u-7',
    });
    expect(first.timestamp).toBeGreaterThan(0n);
    expect(byHandler('order.*')[0]!.pattern).toBe('order.*');
    expect(byHandler('order.#')[1]).toMatchObject({ data: { tenantId: 'acme', line: 2 }, offset: 1n });
  });

  it('applies guards, pipes, interceptors and exception filters', async () => {
    const { client } = await start();
    AddOneInterceptor.calls = 0;
    FilteredErrors.caught = [];
    await expect(
      firstValueFrom(client.send('math.times-ten-plus-one', { tenantId: 't', value: 4 })),
    ).resolves.toBe(41);
    expect(AddOneInterceptor.calls).toBe(1);
    await expect(firstValueFrom(client.send('math.fail', { tenantId: 't' }))).rejects.toEqual({
      code: 'FILTERED',
      message: 'boom',
    });
    await expect(firstValueFrom(client.send('math.rpc-error', { tenantId: 't' }))).rejects.toEqual({
      code: 'E_RPC',
      detail: 'nope',
    });
    const handlerErrors: string[] = [];
    hybrid!.server.on('handlerError', (err, ctx) =>
      handlerErrors.push(`${ctx.getEventType()}: ${(err as Error).message}`),
    );
    client.emit('guarded.event', { tenantId: 'blocked', n: 1 });
    client.emit('guarded.event', { tenantId: 'open', n: 2 });
    await eventually(() => seen.some((s) => s.handler === 'guarded') && handlerErrors.length === 1);
    expect(seen.filter((s) => s.handler === 'guarded').map((s) => s.tenant)).toEqual(['open']);
    // The refused event went to the DLQ (see iggy-server-failures.test.ts), so it is not retried.
    expect(handlerErrors).toEqual(['guarded.event: Forbidden resource']);
  });

  it('answers a request through a wildcard @MessagePattern', async () => {
    const { client } = await start();
    await expect(firstValueFrom(client.send('math.square', { tenantId: 't', value: 3 }))).resolves.toBe(
      'math.square:3:replies',
    );
  });

  it('close() waits for the handler in flight, then commits its offset', async () => {
    const { client, connector } = await start();
    client.emit('slow.job', { tenantId: 'acme' });
    await slow.started.promise;
    let closed = false;
    const closing = hybrid!.server.close().then(() => (closed = true));
    await new Promise((r) => setTimeout(r, 100));
    expect(closed).toBe(false);
    slow.release.resolve();
    await closing;
    expect(slow.finished).toBe(true);
    const lag = await connector.consumerLag('test', 'domain', { kind: 'group', name: 'test-server' });
    const partition = lag.find((p) => p.partition === partitionForTenant('acme', 4))!;
    expect(partition).toMatchObject({ storedOffset: 0n, lag: 0n });
    expect(logs.lines.some((l) => l.includes('slow.job'))).toBe(false);
  });

  it('reports status and unwraps to the connector', async () => {
    const { connector } = await start();
    const statuses: string[] = [];
    const sub = hybrid!.server.status.subscribe((s) => statuses.push(s));
    expect(hybrid!.server.unwrap()).toBe(connector);
    await hybrid!.server.close();
    sub.unsubscribe();
    expect(statuses).toEqual(['connected', 'disconnected']);
  });
});
