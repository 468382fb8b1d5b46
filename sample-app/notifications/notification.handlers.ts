import { Injectable, Logger } from '@nestjs/common';
import { IggyEventContext, IggyEventHandler, type EventEnvelope } from '../../lib/index.js';
import { HandledJournal } from '../ops/handled-journal.js';
import type { Invoice, Order } from '../orders/order.js';

/** Notifications: tells the customer about the order, then about its invoice. */
@Injectable()
export class NotificationHandlers {
  private readonly logger = new Logger('Notifications');

  constructor(private readonly journal: HandledJournal) {}

  @IggyEventHandler('order.created', { group: 'notifications' })
  onOrderCreated(envelope: EventEnvelope<Order>, ctx: IggyEventContext): void {
    const order = envelope.payload;
    this.journal.record(ctx, order.orderId);
    this.logger.log(`order confirmation sent to ${order.tenantId} for order ${order.orderId}`);
  }

  @IggyEventHandler('invoice.issued', { group: 'notifications' })
  onInvoiceIssued(envelope: EventEnvelope<Invoice>, ctx: IggyEventContext): void {
    const invoice = envelope.payload;
    this.journal.record(ctx, invoice.orderId);
    this.logger.log(`invoice ${invoice.invoiceId} (${invoice.amount}) sent to ${invoice.tenantId}`);
  }
}
