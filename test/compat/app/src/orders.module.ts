import { Body, Controller, Get, HttpCode, Inject, Module, Post } from '@nestjs/common';
import { ClientProxy, ClientsModule } from '@nestjs/microservices';
import { HealthCheck, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { firstValueFrom, lastValueFrom } from 'rxjs';
import { DlqManager, IggyClientProxy, IggyHealthIndicator } from 'nestjs-iggy';
import { Handled } from './compat.handlers.js';

/**
 * A feature module: it injects what the root `IggyModule.forRoot` provides without importing it (the
 * module is global), and registers a client the way Nest documents for a custom transport.
 */
@Controller()
export class OrdersController {
  constructor(
    private readonly client: IggyClientProxy,
    @Inject('ORDERS') private readonly orders: ClientProxy,
    private readonly dlq: DlqManager,
    private readonly handled: Handled,
    private readonly health: HealthCheckService,
    private readonly iggy: IggyHealthIndicator,
  ) {}

  @Post('events')
  @HttpCode(202)
  async emit(@Body() body: { tenantId: string; n: number }): Promise<{ emitted: true }> {
    await lastValueFrom(this.client.emit('compat.ping', body));
    return { emitted: true };
  }

  @Get('events')
  events(): Handled['events'] {
    return this.handled.events;
  }

  @Post('quote')
  @HttpCode(200)
  quote(@Body() body: { tenantId: string; items: number }): Promise<{ price: number }> {
    return firstValueFrom(this.orders.send<{ price: number }>('compat.quote', body));
  }

  @Post('fail')
  @HttpCode(202)
  async fail(@Body() body: { tenantId: string }): Promise<{ emitted: true }> {
    await lastValueFrom(this.orders.emit('compat.fail', body));
    return { emitted: true };
  }

  /** The dead letters as `DlqManager.list()` returns them: they must serialize to JSON as they are. */
  @Get('dlq')
  deadLetters() {
    return this.dlq.list();
  }

  @Get('health')
  @HealthCheck()
  check() {
    return this.health.check([() => this.iggy.isHealthy('iggy')]);
  }
}

@Module({
  imports: [
    TerminusModule,
    ClientsModule.register([{ name: 'ORDERS', customClass: IggyClientProxy, options: {} }]),
  ],
  controllers: [OrdersController],
})
export class OrdersModule {}
