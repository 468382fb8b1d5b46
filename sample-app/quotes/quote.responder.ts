import { Controller, Inject, Logger } from '@nestjs/common';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import { IggyContext } from '../../lib/index.js';
import type { Quote, QuoteRequest } from '../orders/order.js';
import type { SampleConfig } from '../sample-config.js';
import { SAMPLE_CONFIG } from '../sample.constants.js';

/** A price list: 10 per unit, plus 1 per character of the SKU beyond the third. */
function unitPrice(sku: string): number {
  return 10 + Math.max(0, sku.length - 3);
}

/** Answers `order.quote` requests (served by the `IggyServer` microservice). */
@Controller()
export class QuoteResponder {
  private readonly logger = new Logger('Quotes');

  constructor(@Inject(SAMPLE_CONFIG) private readonly config: SampleConfig) {}

  @MessagePattern('order.quote')
  quote(@Payload() request: QuoteRequest, @Ctx() ctx: IggyContext): Quote {
    const lines = request.items.map(({ sku, quantity }) => ({ sku, quantity, unitPrice: unitPrice(sku) }));
    const total = lines.reduce((sum, line) => sum + line.quantity * line.unitPrice, 0);
    this.logger.log(`quote for tenant ${ctx.getTenantId()}: ${lines.length} line(s), total ${total}`);
    return { tenantId: ctx.getTenantId(), lines, total, quotedBy: this.config.instance };
  }
}
