import {
  Body,
  Controller,
  Get,
  NotFoundException,
  Param,
  Post,
  UsePipes,
  ValidationPipe,
} from '@nestjs/common';
import { ShopDatabase, type StoredOrder } from '../db/shop-database.js';
import { HandledJournal, type JournalEntry } from '../ops/handled-journal.js';
import { PlaceOrderDto } from './order.js';
import { OrdersService, type PlacedOrder } from './orders.service.js';

@Controller('orders')
@UsePipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }))
export class OrdersController {
  constructor(
    private readonly orders: OrdersService,
    private readonly journal: HandledJournal,
    private readonly db: ShopDatabase,
  ) {}

  /**
   * Places an order: 201 with the order and the id of its `order.created` event (written with the order
   * in one transaction; the outbox relay publishes it). 409 when the order id is taken.
   */
  @Post()
  place(@Body() body: PlaceOrderDto): Promise<PlacedOrder> {
    return this.orders.placeOrder(body);
  }

  /** What each consumer group handled for the tenant (in this process), in handling order. */
  @Get(':tenantId/handled')
  handled(@Param('tenantId') tenantId: string): { tenantId: string; groups: Record<string, JournalEntry[]> } {
    return { tenantId, groups: this.journal.forTenant(tenantId) };
  }

  /** The tenant's orders (from the database), in the order they were placed. */
  @Get(':tenantId')
  list(@Param('tenantId') tenantId: string): Promise<StoredOrder[]> {
    return this.db.listOrders(tenantId);
  }

  /** One order (from the database), with its event id; 404 when there is none. */
  @Get(':tenantId/:orderId')
  async find(@Param('tenantId') tenantId: string, @Param('orderId') orderId: string): Promise<StoredOrder> {
    const found = await this.db.findOrder(tenantId, orderId);
    if (!found) throw new NotFoundException(`no order ${orderId} for tenant ${tenantId}`);
    return found;
  }
}
