import { Module, type DynamicModule } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { IggyDashboardModule, IggyModule, type IggyModuleOptions } from '../lib/index.js';
import { BillingHandlers } from './billing/billing.handlers.js';
import { ShopDatabase } from './db/shop-database.js';
import { ShopDatabaseModule } from './db/shop-database.module.js';
import { NotificationHandlers } from './notifications/notification.handlers.js';
import { AdminController } from './ops/admin.controller.js';
import { DlqController } from './ops/dlq.controller.js';
import { HandledJournal } from './ops/handled-journal.js';
import { HealthController } from './ops/health.controller.js';
import { MetricsController } from './ops/metrics.controller.js';
import { PoisonSwitch } from './ops/poison-switch.js';
import { crashBeforeMark } from './ops/test-hooks.js';
import { OrdersController } from './orders/orders.controller.js';
import { OrdersService } from './orders/orders.service.js';
import { QuoteResponder } from './quotes/quote.responder.js';
import { QuotesController } from './quotes/quotes.controller.js';
import type { SampleConfig } from './sample-config.js';
import { SAMPLE_CONFIG } from './sample.constants.js';

/**
 * The shop: orders (HTTP; the order row and its `order.created` event in one database transaction, the
 * outbox relay publishing it) → the `billing` group (→ `invoice.issued`) and the `notifications` group;
 * quotes by request/response; dead letters, health, metrics (`/metrics`) and admin endpoints; the live
 * dashboard at `/iggy`.
 */
@Module({})
export class AppModule {
  static forRoot(config: SampleConfig): DynamicModule {
    const database = ShopDatabaseModule.forRoot(config.database);
    return {
      module: AppModule,
      imports: [
        database,
        IggyModule.forRootAsync({
          imports: [database],
          inject: [ShopDatabase],
          useFactory: (db: ShopDatabase) => iggyOptions(config, db),
        }),
        TerminusModule,
        // The live dashboard at /iggy (and at / of the embedded broker's HTTP listener when it has one).
        IggyDashboardModule.forRoot(),
      ],
      controllers: [
        OrdersController,
        QuotesController,
        QuoteResponder,
        DlqController,
        AdminController,
        HealthController,
        MetricsController,
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

/**
 * The module's options: the sample's Iggy config plus, on the shop's database, the outbox and the
 * handler groups' idempotency store (an order event handled before a crash is not handled again).
 */
function iggyOptions(config: SampleConfig, db: ShopDatabase): IggyModuleOptions {
  return {
    ...config.iggy,
    metrics: config.iggy.metrics ?? true,
    handlers: { ...config.iggy.handlers, idempotencyStore: db.idempotencyStore },
    outbox: {
      store: config.outbox.crashBeforeMark ? crashBeforeMark(db.outboxStore) : db.outboxStore,
      // Quick retries while the broker is away (at most 2 s apart), a quick take-over after a crash.
      relay: config.outbox.relay && { backoff: { maxMs: 2_000 }, standbyPollMs: 200 },
    },
  };
}
