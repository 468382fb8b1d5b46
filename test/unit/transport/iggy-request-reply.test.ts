import 'reflect-metadata';
import { Controller } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Module } from '@nestjs/common';
import { Ctx, EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { firstValueFrom, interval, lastValueFrom, map, of, take, toArray } from 'rxjs';
import type { IggyConnector } from '../../../lib/connectors/iggy-connector.js';
import { envelopeToMessage } from '../../../lib/events/envelope-message.js';
import { createEnvelope } from '../../../lib/events/event-envelope.js';
import { JsonSerializer } from '../../../lib/events/json-serializer.js';
import { IGGY_CONNECTOR } from '../../../lib/module/iggy.constants.js';
import { requestHeaders } from '../../../lib/transport/reply-codec.js';
import { IggyModule } from '../../../lib/module/iggy.module.js';
import { IggyClientProxy } from '../../../lib/transport/iggy.client-proxy.js';
import { IggyContext } from '../../../lib/consumer/iggy.context.js';
import { IggyServer } from '../../../lib/transport/iggy.server.js';
import { IggyRequestTimeoutError, IggyTransportError } from '../../../lib/transport/transport-errors.js';
import { eventually, memoryConfig, recordLogs, type RecordingLogger } from '../module/iggy-test-kit.js';
import { startHybrid, type HybridApp } from './transport-kit.js';

const events: string[] = [];
const echoed: string[] = [];
let ticked = 0;
let logs: RecordingLogger | undefined;

@Controller()
class EchoController {
  @MessagePattern('echo')
  echo(@Payload() data: { text: string }, @Ctx() ctx: IggyContext): string {
    echoed.push(data.text);
    return `${ctx.getTenantId()}:${data.text}`;
  }

  @MessagePattern('count')
  count(@Payload() data: { upTo: number }) {
    return of(...Array.from({ length: data.upTo }, (_, i) => i + 1));
  }

  @MessagePattern('ticks')
  ticks() {
    return interval(20).pipe(map(() => ++ticked));
  }

  @MessagePattern('slow')
  async slow(): Promise<string> {
    await new Promise((r) => setTimeout(r, 500));
    return 'late';
  }

  @EventPattern<string>('only.an.event')
  onlyEvent(@Payload() data: { n: number }): void {
    events.push(`event ${data.n}`);
  }
}

let hybrid: HybridApp | undefined;
beforeAll(() => void recordLogs());
afterEach(async () => {
  await hybrid?.app.close();
  hybrid = undefined;
  events.length = 0;
  echoed.length = 0;
});

describe('request/response over Iggy', () => {
  it('send() resolves from the reply; a stream of replies arrives whole', async () => {
    hybrid = await startHybrid([EchoController]);
    const client = hybrid.app.get(IggyClientProxy);
    await expect(firstValueFrom(client.send('echo', { tenantId: 'acme', text: 'hi' }))).resolves.toBe(
      'acme:hi',
    );
    await expect(
      lastValueFrom(client.send('count', { tenantId: 'acme', upTo: 3 }).pipe(toArray())),
    ).resolves.toEqual([1, 2, 3]);
  });

  it('times out with IggyRequestTimeoutError when no handler answers', async () => {
    hybrid = await startHybrid([EchoController], {
      module: memoryConfig({ requestReply: { timeoutMs: 300 } }),
    });
    const client = hybrid.app.get(IggyClientProxy);
    const started = Date.now();
    const error = await firstValueFrom(client.send('nobody.home', { tenantId: 'acme' })).catch(
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(IggyRequestTimeoutError);
    expect(error).toMatchObject({ pattern: 'nobody.home', timeoutMs: 300 });
    expect((error as Error).message).toMatch(/^no reply to 'nobody.home' within 300 ms/);
    expect(Date.now() - started).toBeLessThan(2_000);
    // A request whose type only has an @EventPattern is handled as an event, and still times out.
    const second = await firstValueFrom(client.send('only.an.event', { tenantId: 'acme', n: 5 })).catch(
      (err: unknown) => err,
    );
    expect(second).toBeInstanceOf(IggyRequestTimeoutError);
    expect(events).toEqual(['event 5']);
  });

  it('two client instances sharing a reply partition each get only their own replies', async () => {
    hybrid = await startHybrid([EchoController]);
    const connector = hybrid.app.get<IggyConnector>(IGGY_CONNECTOR);
    const clients = ['one', 'two'].map(
      (id) =>
        new IggyClientProxy({
          connector,
          instanceId: id,
          replyTopic: 'shared-replies',
          replyPartitions: 1,
          timeoutMs: 3_000,
        }),
    );
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => {
        const client = clients[i % 2]!;
        return firstValueFrom(client.send('echo', { tenantId: `t${i}`, text: `${client.instanceId}-${i}` }));
      }),
    );
    expect(results).toEqual(
      Array.from({ length: 10 }, (_, i) => `t${i}:${i % 2 === 0 ? 'one' : 'two'}-${i}`),
    );
    await Promise.all(clients.map((c) => c.close()));
  });
  it('skips a request whose requester stopped waiting (reply_deadline passed)', async () => {
    hybrid = await startHybrid([EchoController]);
    logs = recordLogs(); // the app was created with its logger off
    const connector = hybrid.app.get<IggyConnector>(IGGY_CONNECTOR);
    const request = (text: string, deadline: number) => {
      const message = envelopeToMessage(
        createEnvelope({ tenantId: 'acme', type: 'echo', payload: { text } }),
        new JsonSerializer(),
        { stream: 'test', topic: 'domain' },
      );
      return message.withHeaders([
        ...message.headers,
        ...requestHeaders({ requestId: text, replyTo: 'replies', replyKey: 'nobody', deadline }),
      ]);
    };
    await connector.publish(request('stale', Date.now() - 1));
    await connector.publish(request('fresh', Date.now() + 60_000));
    await eventually(() => echoed.length > 0);
    await new Promise((r) => setTimeout(r, 50));
    expect(echoed).toEqual(['fresh']);
    expect(logs!.lines.filter((l) => l.includes("skipped request stale ('echo')"))).toEqual([
      expect.stringMatching(/^warn .*deadline passed \d+ ms ago .*a requester whose clock is behind/),
    ]);
  });

  it("stops a reply stream that never ends at its requester's deadline: the partition goes on, close is quick", async () => {
    hybrid = await startHybrid([EchoController], {
      module: memoryConfig({ requestReply: { timeoutMs: 400 }, partitions: 1 }),
    });
    logs = recordLogs(); // the app was created with its logger off
    const client = hybrid.app.get(IggyClientProxy);
    ticked = 0;
    await expect(
      lastValueFrom(client.send('ticks', { tenantId: 'acme' }).pipe(take(3), toArray())),
    ).resolves.toEqual([1, 2, 3]);
    // The next request on the only partition is answered once the stream is stopped at its deadline.
    await expect(firstValueFrom(client.send('echo', { tenantId: 'acme', text: 'next' }))).resolves.toBe(
      'acme:next',
    );
    const stoppedAt = ticked;
    await new Promise((r) => setTimeout(r, 100));
    expect(ticked).toBe(stoppedAt);
    expect(
      logs!.lines.some((l) => /^warn stopped answering request .*'ticks'.*requester stopped waiting/.test(l)),
    ).toBe(true);
    const closing = Date.now();
    await hybrid.app.close();
    hybrid = undefined;
    expect(Date.now() - closing).toBeLessThan(2_000);
  });

  it('fails a send still waiting for its reply at once when the client closes', async () => {
    hybrid = await startHybrid([EchoController], {
      module: memoryConfig({ requestReply: { timeoutMs: 5_000 } }),
    });
    const connector = hybrid.app.get<IggyConnector>(IGGY_CONNECTOR);
    const client = new IggyClientProxy({ connector, timeoutMs: 5_000 });
    const started = Date.now();
    const pending = firstValueFrom(client.send('slow', { tenantId: 'acme' })).catch((err: unknown) => err);
    await new Promise((r) => setTimeout(r, 100));
    await client.close();
    const error = await pending;
    expect(error).toBeInstanceOf(IggyTransportError);
    expect((error as Error).message).toMatch(/the client was closed before its reply came/);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});

describe('IggyServer in a standalone microservice', () => {
  it('createMicroservice + attach(app) serves the module connector', async () => {
    @Module({ imports: [IggyModule.forRoot(memoryConfig())], controllers: [EchoController] })
    class AppModule {}
    const server = new IggyServer({ group: 'standalone', pollIntervalMs: 5 });
    const app = await NestFactory.createMicroservice(AppModule, { strategy: server, logger: false });
    server.attach(app);
    await app.listen();
    const client = app.get(IggyClientProxy);
    client.emit('only.an.event', { tenantId: 'acme', n: 1 });
    await expect(firstValueFrom(client.send('echo', { tenantId: 'acme', text: 'x' }))).resolves.toBe(
      'acme:x',
    );
    await eventually(() => events.length === 1);
    const connector = app.get<IggyConnector>(IGGY_CONNECTOR);
    await app.close();
    expect(connector.isConnected()).toBe(false);
  });

  it('fails to listen without a connector, saying how to give it one', async () => {
    const server = new IggyServer();
    const error = await new Promise((resolve) => server.listen((err) => resolve(err)));
    expect(String(error)).toMatch(/IggyServer has no connector: pass \{ connector \}.*IggyServer\.fromApp/);
  });

  it('with its own connector config: connects, ensures the topology, shuts down on close', async () => {
    const server = new IggyServer({ connector: memoryConfig({ streamName: 'own' }), pollIntervalMs: 5 });
    await new Promise<void>((resolve, reject) => server.listen((err) => (err ? reject(err) : resolve())));
    const connector = server.unwrap<IggyConnector>();
    expect(connector.isConnected()).toBe(true);
    expect(await connector.getTopic('own', 'domain')).not.toBeNull();
    await server.close();
    expect(connector.isConnected()).toBe(false);
  });
});
