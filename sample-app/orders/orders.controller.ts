import { Body, Controller, Get, Param, Post, UsePipes, ValidationPipe } from '@nestjs/common';
import { HandledJournal, type JournalEntry } from '../ops/handled-journal.js';
import { PlaceOrderDto } from './order.js';
import { OrdersService, type PlacedOrder } from './orders.service.js';

@Controller('orders')
@UsePipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }))
export class OrdersController {
  constructor(
    private readonly orders: OrdersService,
    private readonly journal: HandledJournal,
  ) {}

  /** Places an order: 201 with the order and the id of its `order.created` event. */
  @Post()
  place(@Body() body: PlaceOrderDto): Promise<PlacedOrder> {
    return this.orders.placeOrder(body);
  }

  /** What each consumer group handled for the tenant (in this process), in handling order. */
  @Get(':tenantId/handled')
  handled(@Param('tenantId') tenantId: string): { tenantId: string; groups: Record<string, JournalEntry[]> } {
    return { tenantId, groups: this.journal.forTenant(tenantId) };
  }
}
