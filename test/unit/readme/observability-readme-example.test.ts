/*
 * The README's "Metrics and traces" example as real code, booted on an in-memory embedded broker. Keep it
 * in step with its README counterpart (the README imports from 'nestjs-iggy' and gives no embedded options).
 */
import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { Controller, Get, Header, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { lastValueFrom } from 'rxjs';
import { IggyClientProxy, IggyMetrics, IggyModule } from '../../../lib/index.js';
import { memoryConfig } from '../module/iggy-test-kit.js';

// README: "Metrics and traces"
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: IggyMetrics) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  scrape(): Promise<string> {
    return this.metrics.metrics();
  }
}

@Module({
  imports: [IggyModule.forRoot(memoryConfig({ streamName: 'shop', metrics: true }))],
  controllers: [MetricsController],
})
export class MetricsAppModule {}

describe('README: Metrics and traces', () => {
  it('serves the module metrics on the app’s own /metrics', async () => {
    const app = await NestFactory.create(MetricsAppModule, { logger: false });
    await app.listen(0, '127.0.0.1');
    try {
      const { port } = app.getHttpServer().address() as { port: number };
      await lastValueFrom(app.get(IggyClientProxy).emit('order.created', { tenantId: 't' }), {
        defaultValue: undefined,
      });
      // Counted once acknowledged, before `emit`'s observable completes.
      const response = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      const text = await response.text();
      expect(text).toContain(
        'nestjs_iggy_producer_published_total{stream="shop",topic="domain",type="order.created"} 1',
      );
      expect(text).toMatch(/^# TYPE nestjs_iggy_consumer_handled_total counter$/m);
    } finally {
      await app.close();
    }
  });
});
