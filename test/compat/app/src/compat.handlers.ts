import { Controller, Global, Injectable, Module } from '@nestjs/common';
import { Ctx, EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { IggyContext, IggyEventHandler, NonRetryableError, type EventEnvelope } from 'nestjs-iggy';

/** What the `compat` group handled, for GET /events. */
@Injectable()
export class Handled {
  readonly events: { via: 'handler' | 'pattern'; tenantId: string; n: number }[] = [];
}

@Global()
@Module({ providers: [Handled], exports: [Handled] })
export class HandledModule {}

@Injectable()
export class CompatHandlers {
  constructor(private readonly handled: Handled) {}

  @IggyEventHandler('compat.ping', { group: 'compat' })
  onPing(envelope: EventEnvelope<{ n: number }>): void {
    this.handled.events.push({ via: 'handler', tenantId: envelope.tenantId, n: envelope.payload.n });
  }

  @IggyEventHandler('compat.fail', { group: 'compat' })
  onFail(): void {
    throw new NonRetryableError('compat: this handler always fails');
  }
}

/** The `IggyServer` connected with `IggyServer.fromApp`: an event pattern, and the answer to `send`. */
@Controller()
export class QuoteResponder {
  constructor(private readonly handled: Handled) {}

  @EventPattern<string>('compat.ping')
  onPing(@Payload() data: { tenantId: string; n: number }, @Ctx() ctx: IggyContext): void {
    this.handled.events.push({ via: 'pattern', tenantId: ctx.getTenantId(), n: data.n });
  }

  @MessagePattern('compat.quote')
  quote(@Payload() request: { items: number }): { price: number } {
    return { price: request.items * 10 };
  }
}
