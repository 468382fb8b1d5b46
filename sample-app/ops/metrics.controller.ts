import { Controller, Get, Header } from '@nestjs/common';
import { IggyMetrics } from '../../lib/index.js';

@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: IggyMetrics) {}

  /** Prometheus text: the handlers', producers' and outbox relay's metrics, and the embedded broker's. */
  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  scrape(): Promise<string> {
    return this.metrics.metrics();
  }
}
