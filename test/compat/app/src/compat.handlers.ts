import { Controller, Global, Injectable, Module } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { IggyEventHandler, NonRetryableError, type EventEnvelope } from 'nestjs-iggy';

/** What the `compat` group handled, for GET /events. */
@Injectable()
export class Handled {
  readonly events: { tenantId: string; n: number }[] = [];
}

@Global()
@Module({ providers: [Handled], exports: [Handled] })
export class HandledModule {}

@Injectable()
export class CompatHandlers {
  constructor(private readonly handled: Handled) {}

  @IggyEventHandler('compat.ping', { group: 'compat' })
  onPing(envelope: EventEnvelope<{ n: number }>): void {
    this.handled.events.push({ tenantId: envelope.tenantId, n: envelope.payload.n });
  }

  @IggyEventHandler('compat.fail', { group: 'compat' })
  onFail(): void {
    throw new NonRetryableError('compat: this handler always fails');
  }
}

/** Answers `send('compat.quote', ...)` through the `IggyServer` connected with `IggyServer.fromApp`. */
@Controller()
export class QuoteResponder {
  @MessagePattern('compat.quote')
  quote(@Payload() request: { items: number }): { price: number } {
    return { price: request.items * 10 };
  }
}
