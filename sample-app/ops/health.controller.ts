import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import { IggyHealthIndicator } from '../../lib/index.js';

@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly iggy: IggyHealthIndicator,
  ) {}

  /** 200 `{ status: 'ok' }` when Iggy is reachable and the topology present; 503 with the reasons otherwise. */
  @Get()
  @HealthCheck()
  check(): Promise<HealthCheckResult> {
    return this.health.check([() => this.iggy.isHealthy('iggy', { timeoutMs: 2_000, maxLag: 100_000 })]);
  }
}
