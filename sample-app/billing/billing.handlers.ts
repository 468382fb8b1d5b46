import { Injectable, Logger } from '@nestjs/common';
import { lastValueFrom } from 'rxjs';
import { v5 as uuidv5 } from 'uuid';
import {
  IggyClientProxy,
  IggyEventContext,
  IggyEventHandler,
  IggyRecord,
  type EventEnvelope,
} from '../../lib/index.js';
import { HandledJournal } from '../ops/handled-journal.js';
import { PoisonSwitch } from '../ops/poison-switch.js';
import type { Invoice, Order } from '../orders/order.js';

/** Namespace of invoice event ids: one `order.created` always gives the same `invoice.issued` id. */
const INVOICE_NAMESPACE = '5b2f3c1e-8a4d-4f6b-9c2e-7d1a0b3e4f50';

/** Billing: bills each order and issues its invoice (`invoice.issued`). Fails on a poison order until fixed. */
@Injectable()
export class BillingHandlers {
  private readonly logger = new Logger('Billing');

  constructor(
    private readonly client: IggyClientProxy,
    private readonly journal: HandledJournal,
    private readonly poison: PoisonSwitch,
  ) {}

  @IggyEventHandler('order.created', { group: 'billing' })
  async onOrderCreated(envelope: EventEnvelope<Order>, ctx: IggyEventContext): Promise<void> {
    const order = envelope.payload;
    if (order.processingMs > 0) {
      this.journal.record(ctx, order.orderId, 'started');
      this.logger.log(`billing order ${order.orderId} of ${order.tenantId} (takes ${order.processingMs} ms)`);
      await sleep(order.processingMs);
    }
    if (order.poison && !this.poison.fixed) {
      throw new Error(
        `payment provider rejected poison order ${order.orderId} (attempt ${ctx.getAttempt()})`,
      );
    }
    const invoice: Invoice = {
      tenantId: order.tenantId,
      orderId: order.orderId,
      invoiceId: `inv-${order.orderId}`,
      amount: order.total,
      issuedAt: new Date().toISOString(),
    };
    const id = uuidv5(envelope.id, INVOICE_NAMESPACE);
    await lastValueFrom(
      this.client.emit(
        'invoice.issued',
        new IggyRecord(invoice, { tenantId: order.tenantId, id, causedBy: envelope }),
      ),
      { defaultValue: undefined },
    );
    this.journal.record(ctx, order.orderId);
    const redriven = ctx.getRedriveCount() > 0 ? ' (redriven)' : '';
    this.logger.log(
      `order ${order.orderId} of ${order.tenantId} billed${redriven}: invoice ${invoice.invoiceId} issued`,
    );
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
