import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { Test, type TestingModule } from '@nestjs/testing';
import { afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { firstValueFrom } from 'rxjs';
import type { IggyConnector } from '../../../lib/connectors/iggy-connector.js';
import { IggyEventHandler } from '../../../lib/handlers/iggy-event-handler.decorator.js';
import { IggyHealthIndicator } from '../../../lib/health/iggy.health-indicator.js';
import { IGGY_CONNECTOR, IGGY_OPTIONS } from '../../../lib/module/iggy.constants.js';
import { IggyModule } from '../../../lib/module/iggy.module.js';
import { IggyClientProxy } from '../../../lib/transport/iggy.client-proxy.js';
import { eventually, memoryConfig, recordLogs } from '../module/iggy-test-kit.js';

/** A handler that holds every event until released, so its group lags. */
@Injectable()
class StuckBilling {
  static release: () => void = () => undefined;
  static gate = new Promise<void>((r) => (StuckBilling.release = r));
  static started = 0;

  @IggyEventHandler('order.created', { group: 'billing', concurrency: 1 })
  async onOrder(): Promise<void> {
    StuckBilling.started++;
    await StuckBilling.gate;
  }
}

let app: TestingModule | undefined;
beforeAll(() => void recordLogs());
afterEach(async () => {
  StuckBilling.release();
  await app?.close();
  app = undefined;
});

async function boot(providers: unknown[] = [], ensure = true): Promise<TestingModule> {
  @Module({
    imports: [
      TerminusModule.forRoot({ logger: false }),
      IggyModule.forRoot(memoryConfig({ handlers: { shutdownTimeoutMs: 500 }, topology: { ensure } })),
    ],
    providers: providers as never[],
  })
  class AppModule {}
  app = await Test.createTestingModule({ imports: [AppModule] }).compile();
  await app.init();
  return app;
}

describe('IggyHealthIndicator', () => {
  it('is up with connection, latency and topology details, and down after the connector shut down', async () => {
    const moduleRef = await boot();
    const indicator = moduleRef.get(IggyHealthIndicator);
    const health = moduleRef.get(HealthCheckService);
    const up = await health.check([() => indicator.isHealthy('iggy')]);
    expect(up.status).toBe('ok');
    expect(up.details.iggy).toMatchObject({
      status: 'up',
      connected: true,
      serverVersion: '0.8.0-embedded',
      stream: 'test',
      topicsPresent: ['domain', 'system', 'dlq'],
      topicsMissing: [],
      reasons: [],
      maxLatencyMs: 1000,
      groups: [],
    });
    expect(typeof up.details.iggy!.latencyMs).toBe('number');
    JSON.stringify(up);

    await moduleRef.get<IggyConnector>(IGGY_CONNECTOR).shutdown();
    const down = await indicator.isHealthy('broker');
    expect(down).toEqual({
      broker: expect.objectContaining({
        status: 'down',
        connected: false,
        reasons: ['the connector is not connected'],
      }),
    });
    await expect(health.check([() => indicator.isHealthy('iggy')])).rejects.toMatchObject({ status: 503 });
  });

  it('builds the same result without @nestjs/terminus', async () => {
    const moduleRef = await boot();
    const plain = new IggyHealthIndicator(moduleRef.get(IGGY_CONNECTOR), moduleRef.get(IGGY_OPTIONS), null);
    const result = await plain.isHealthy('bare');
    expect(result.bare).toMatchObject({ status: 'up', connected: true, groups: [] });
  });

  it('is down when the topology is missing or the ping is too slow', async () => {
    const bare = await boot([], false);
    const missing = await bare.get(IggyHealthIndicator).isHealthy('iggy');
    expect(missing.iggy).toMatchObject({ status: 'down', topicsMissing: ['domain', 'system', 'dlq'] });
    await bare.close();
    const moduleRef = await boot();
    const indicator = moduleRef.get(IggyHealthIndicator);
    const slow = await indicator.isHealthy('iggy', { maxLatencyMs: -1 });
    expect(slow.iggy).toMatchObject({
      status: 'down',
      topicsMissing: [],
      reasons: [expect.stringMatching(/^ping took .* ms, above -1 ms$/)],
    });
  });

  it('is down within about maxLatencyMs when the server does not answer the ping', async () => {
    const moduleRef = await boot();
    const connector = moduleRef.get<IggyConnector>(IGGY_CONNECTOR);
    const ping = jest.spyOn(connector, 'ping').mockReturnValue(new Promise(() => undefined));
    try {
      const started = performance.now();
      const hung = await moduleRef.get(IggyHealthIndicator).isHealthy('iggy', { maxLatencyMs: 300 });
      expect(performance.now() - started).toBeLessThan(2_500); // the old default waited 3 s
      expect(hung.iggy).toMatchObject({
        status: 'down',
        reasons: [expect.stringMatching(/^ping failed: .*1000 ms/)],
      });
    } finally {
      ping.mockRestore();
    }
  });

  it('reports consumer lag per handler group and judges it against maxLag', async () => {
    StuckBilling.gate = new Promise<void>((r) => (StuckBilling.release = r));
    const moduleRef = await boot([StuckBilling]);
    const client = moduleRef.get(IggyClientProxy);
    for (let i = 0; i < 5; i++) {
      await firstValueFrom(client.emit('order.created', { tenantId: 'acme', i }), {
        defaultValue: undefined,
      });
    }
    await eventually(() => StuckBilling.started === 1);
    const indicator = moduleRef.get(IggyHealthIndicator);
    const reported = await indicator.isHealthy('iggy');
    expect(reported.iggy).toMatchObject({
      status: 'up',
      groups: [{ group: 'billing', topic: 'domain', lag: 5, maxLag: null }],
    });
    const judged = await indicator.isHealthy('iggy', { maxLag: { billing: 3 } });
    expect(judged.iggy).toMatchObject({
      status: 'down',
      reasons: ["group 'billing' lags 5 messages on 'domain', above 3"],
    });
    const explicit = await indicator.isHealthy('iggy', { groups: ['billing'], maxLag: 10 });
    expect(explicit.iggy).toMatchObject({ status: 'up', groups: [{ group: 'billing', lag: 5, maxLag: 10 }] });
    const added = await indicator.isHealthy('iggy', {
      groups: [{ group: 'audit', topic: 'domain' }],
      maxLag: 4,
    });
    expect(added.iggy).toMatchObject({
      status: 'down',
      groups: [
        { group: 'billing', topic: 'domain', lag: 5, maxLag: 4 },
        { group: 'audit', topic: 'domain', maxLag: 4 },
      ],
    });
  });
});
