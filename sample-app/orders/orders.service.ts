import { ConflictException, Injectable, Logger, UnprocessableEntityException } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { TransactionalEventBus } from '../../lib/index.js';
import { DuplicateOrderError, ShopDatabase } from '../db/shop-database.js';
import type { Order, PlaceOrderDto } from './order.js';

/** What `placeOrder` returns (and `POST /orders` answers). */
export interface PlacedOrder {
  order: Order;
  /** Id of the `order.created` event (the Iggy message id once the relay published it). */
  eventId: string;
}

/**
 * Orders: `placeOrder` writes the order row and its `order.created` event (tenant = the order's tenant,
 * so a tenant's orders stay in order) in ONE database transaction, through the outbox. The relay
 * publishes the event once the transaction committed; rolled back, there is no order and no event.
 */
@Injectable()
export class OrdersService {
  private readonly logger = new Logger('Orders');

  constructor(
    private readonly db: ShopDatabase,
    private readonly bus: TransactionalEventBus<unknown>,
  ) {}

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
    try {
      await this.db.transaction(async (tx) => {
        await tx.insertOrder(order, eventId);
        await this.bus.publishInTx(tx.handle, order.tenantId, null, {
          id: eventId,
          type: 'order.created',
          payload: order,
        });
        if (input.failAfterInsert) {
          throw new UnprocessableEntityException(
            `order ${order.orderId} rejected after it was written (failAfterInsert): rolled back, no event`,
          );
        }
      });
    } catch (err) {
      if (err instanceof DuplicateOrderError) throw new ConflictException(err.message);
      throw err;
    }
    this.logger.log(
      `order ${order.orderId} placed for tenant ${order.tenantId} (total ${order.total}` +
        `${order.poison ? ', poison' : ''}); order.created ${eventId} in the outbox`,
    );
    return { order, eventId };
  }
}
