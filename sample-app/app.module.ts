import { Module, type DynamicModule } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { IggyModule } from '../lib/index.js';
import { BillingHandlers } from './billing/billing.handlers.js';
import { NotificationHandlers } from './notifications/notification.handlers.js';
import { AdminController } from './ops/admin.controller.js';
import { DlqController } from './ops/dlq.controller.js';
import { HandledJournal } from './ops/handled-journal.js';
import { HealthController } from './ops/health.controller.js';
import { PoisonSwitch } from './ops/poison-switch.js';
import { OrdersController } from './orders/orders.controller.js';
import { OrdersService } from './orders/orders.service.js';
import { QuoteResponder } from './quotes/quote.responder.js';
import { QuotesController } from './quotes/quotes.controller.js';
import type { SampleConfig } from './sample-config.js';
import { SAMPLE_CONFIG } from './sample.constants.js';

/**
 * The shop: orders (HTTP) → `order.created` → the `billing` group (→ `invoice.issued`) and the
 * `notifications` group; quotes by request/response; dead letters, health and admin endpoints.
 */
@Module({})
export class AppModule {
  static forRoot(config: SampleConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [IggyModule.forRoot(config.iggy), TerminusModule],
      controllers: [
        OrdersController,
        QuotesController,
        QuoteResponder,
        DlqController,
        AdminController,
        HealthController,
      ],
      providers: [
        { provide: SAMPLE_CONFIG, useValue: config },
        OrdersService,
        HandledJournal,
        PoisonSwitch,
        BillingHandlers,
        NotificationHandlers,
      ],
    };
  }
}
