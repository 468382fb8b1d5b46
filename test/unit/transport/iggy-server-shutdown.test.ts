import 'reflect-metadata';
import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Module, type INestApplication } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { lastValueFrom } from 'rxjs';
import type { EmbeddedConnector } from '../../../lib/connectors/embedded-connector.js';
import { partitionForTenant } from '../../../lib/events/tenant-partitioner.js';
import { IggyModule } from '../../../lib/module/iggy.module.js';
import { IggyClientProxy } from '../../../lib/transport/iggy.client-proxy.js';
import { IggyContext } from '../../../lib/consumer/iggy.context.js';
import { IggyRecord } from '../../../lib/transport/iggy-record.js';
import { IggyServer } from '../../../lib/transport/iggy.server.js';
import { PARTITIONS, STREAM, TOPIC, sleep, startBroker, waitFor } from '../handlers/handlers-kit.js';
import { recordLogs, type RecordingLogger } from '../module/iggy-test-kit.js';
import { deferred } from './transport-kit.js';

const GROUP = 'shutdown-server';
const SHUTDOWN_TIMEOUT_MS = 300;

/** Deliveries of `job.run` (`eventId@offset`); the first one hangs until `release` resolves. */
const state = {
  deliveries: [] as string[],
  started: deferred(),
  release: deferred(),
  finished: 0,
};

@Controller()
class JobsController {
  @EventPattern<string>('job.run')
  async run(@Payload() _data: unknown, @Ctx() ctx: IggyContext): Promise<void> {
    state.deliveries.push(`${ctx.getEnvelope().id}@${ctx.getOffset()}`);
    if (state.deliveries.length === 1) {
      state.started.resolve();
      await state.release.promise;
    }
    state.finished++;
  }
}

let connector: EmbeddedConnector;
let logs: RecordingLogger;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(() => {
  logs = recordLogs();
});
afterEach(async () => {
  state.release.resolve();
  while (cleanups.length) await cleanups.pop()!();
});

/** A hybrid app whose IggyServer reads as `GROUP` on the shared broker. */
async function boot(): Promise<{ app: INestApplication; server: IggyServer }> {
  @Module({
    imports: [
      IggyModule.forRoot({ streamName: STREAM, partitions: PARTITIONS, connector: { useValue: connector } }),
    ],
    controllers: [JobsController],
  })
  class AppModule {}
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
  const app = moduleRef.createNestApplication({ logger: logs });
  const server = IggyServer.fromApp(app, {
    group: GROUP,
    pollIntervalMs: 5,
    shutdownTimeoutMs: SHUTDOWN_TIMEOUT_MS,
  });
  app.connectMicroservice({ strategy: server }, { inheritAppConfig: true });
  await app.startAllMicroservices();
  await app.init();
  cleanups.push(() => app.close());
  return { app, server };
}

async function lagOf(partition: number): Promise<bigint> {
  const lags = await connector.consumerLag(STREAM, TOPIC, { kind: 'group', name: GROUP });
  return lags.find((p) => p.partition === partition)?.lag ?? -1n;
}

describe('IggyServer.close() with a handler that outlives the shutdown timeout', () => {
  it('returns after about the timeout, and leaves the message uncommitted for the next server', async () => {
    connector = await startBroker();
    cleanups.push(() => connector.shutdown());
    const partition = partitionForTenant('acme', PARTITIONS);
    const first = await boot();
    await lastValueFrom(
      first.app.get(IggyClientProxy).emit('job.run', new IggyRecord({}, { tenantId: 'acme' })),
      {
        defaultValue: undefined,
      },
    );
    await state.started.promise;

    const began = Date.now();
    const outcome = await Promise.race([
      first.server.close().then(() => 'closed' as const),
      sleep(SHUTDOWN_TIMEOUT_MS + 5_000).then(() => 'hung' as const),
    ]);
    const elapsed = Date.now() - began;
    expect(outcome).toBe('closed');
    expect(elapsed).toBeGreaterThanOrEqual(SHUTDOWN_TIMEOUT_MS - 5);
    expect(state.finished).toBe(0);
    expect(
      logs.lines.some((l) => l.startsWith('warn') && l.includes(`after ${SHUTDOWN_TIMEOUT_MS} ms`)),
    ).toBe(true);
    expect(await lagOf(partition)).toBe(1n);

    // The late handler finishing does not commit either: that server has closed its commits.
    state.release.resolve();
    await waitFor(() => state.finished === 1, 5_000, 'the late handler');
    await sleep(50);
    expect(await lagOf(partition)).toBe(1n);

    await boot();
    await waitFor(() => state.deliveries.length === 2, 5_000, 'the redelivery');
    await waitFor(async () => (await lagOf(partition)) === 0n, 5_000, 'the commit');
    const [firstDelivery, redelivery] = state.deliveries;
    expect(redelivery).toBe(firstDelivery);
    expect(redelivery).toMatch(/@0$/);
  });
});
