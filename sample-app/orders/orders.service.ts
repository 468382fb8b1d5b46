import { Injectable, Logger } from '@nestjs/common';
import { lastValueFrom } from 'rxjs';
import { v7 as uuidv7 } from 'uuid';
import { IggyClientProxy, IggyRecord } from '../../lib/index.js';
import type { Order, PlaceOrderDto } from './order.js';

/** What `placeOrder` returns (and `POST /orders` answers). */
export interface PlacedOrder {
  order: Order;
  /** Id of the `order.created` event. */
  eventId: string;
}

/**
 * Orders: `placeOrder` saves the order and publishes `order.created` (tenant = the order's tenant, so a
 * tenant's orders stay in order). Today the store is in memory and the event is emitted right after the
 * save; with the transactional outbox both go into one database transaction, in this one method.
 */
@Injectable()
export class OrdersService {
  private readonly logger = new Logger('Orders');
  private readonly orders = new Map<string, Order>();

  constructor(private readonly client: IggyClientProxy) {}

  async placeOrder(input: PlaceOrderDto): Promise<PlacedOrder> {
    const order: Order = {
      tenantId: input.tenantId,
      orderId: input.orderId ?? `ord-${uuidv7()}`,
      items: input.items.map(({ sku, quantity }) => ({ sku, quantity })),
      total: input.total,
      poison: input.poison ?? false,
      processingMs: input.processingMs ?? 0,
      placedAt: new Date().toISOString(),
    };
    const eventId = uuidv7();
    this.orders.set(`${order.tenantId}/${order.orderId}`, order);
    await lastValueFrom(
      this.client.emit('order.created', new IggyRecord(order, { tenantId: order.tenantId, id: eventId })),
      { defaultValue: undefined },
    );
    this.logger.log(
      `order ${order.orderId} received for tenant ${order.tenantId} (total ${order.total}` +
        `${order.poison ? ', poison' : ''}); order.created ${eventId} published`,
    );
    return { order, eventId };
  }

  find(tenantId: string, orderId: string): Order | undefined {
    return this.orders.get(`${tenantId}/${orderId}`);
  }
}
