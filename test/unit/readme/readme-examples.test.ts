/*
 * The code examples of the README's "Nest layer" section, as real code: this file is type-checked (by
 * `npm run lint` and by the first test below) and the minimal example and the transport example are
 * booted on an in-memory embedded broker. Keep each block in step with its README counterpart (the
 * README imports from 'nestjs-iggy'; here the same names come from lib/index.js).
 */
import 'reflect-metadata';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import {
  Controller,
  Get,
  Inject,
  Injectable,
  Module,
  type INestApplication,
  type Type,
} from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import {
  ClientProxy,
  ClientsModule,
  Ctx,
  EventPattern,
  MessagePattern,
  Payload,
} from '@nestjs/microservices';
import { HealthCheck, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { Test, type TestingModule } from '@nestjs/testing';
import { firstValueFrom, lastValueFrom } from 'rxjs';
import ts from 'typescript';
import {
  DlqManager,
  EmbeddedConnector,
  IGGY_CONFIG_KEY,
  IGGY_CONNECTOR,
  IGGY_MODULE_OPTIONS,
  IggyClientProxy,
  IggyContext,
  IggyEventContext,
  IggyEventHandler,
  IggyHealthIndicator,
  IggyModule,
  IggyRecord,
  IggyServer,
  NonRetryableError,
  ReplayManager,
  iggyConfigFromYamlText,
  iggyConfigLoader,
  type EventEnvelope,
  type IggyConnector,
  type IggyModuleOptions,
  type ReplayResult,
} from '../../../lib/index.js';
import { eventually, memoryConfig, recordLogs } from '../module/iggy-test-kit.js';

// ---------------------------------------------------------------------------------------------------
// README: "Minimal example"

@Injectable()
export class Greeter {
  readonly greeted: string[] = [];

  @IggyEventHandler('user.registered', { group: 'greeter' })
  onRegistered(envelope: EventEnvelope<{ name: string }>): void {
    this.greeted.push(`${envelope.tenantId}: hello ${envelope.payload.name}`);
  }
}

@Module({
  imports: [IggyModule.forRoot({ streamName: 'shop', partitions: 8 })],
  providers: [Greeter],
})
export class AppModule {}

export async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(AppModule);
  app.enableShutdownHooks(); // SIGTERM: handlers drain, offsets are committed, the broker closes
  await app.listen(3000);
  const client = app.get(IggyClientProxy);
  await lastValueFrom(client.emit('user.registered', { tenantId: 'acme', name: 'Ada' }));
}

// ---------------------------------------------------------------------------------------------------
// README: "Minimal example": feature modules and Nest's client registration

@Injectable()
export class SignupService {
  constructor(private readonly events: IggyClientProxy) {}

  register(tenantId: string, name: string) {
    return lastValueFrom(this.events.emit('user.registered', { tenantId, name }));
  }
}

@Module({ providers: [SignupService], exports: [SignupService] })
export class UsersModule {} // imported by AppModule beside IggyModule.forRoot(...)

@Injectable()
export class CheckoutService {
  constructor(@Inject('ORDERS') private readonly orders: ClientProxy) {}

  quote(tenantId: string, items: number): Promise<{ price: number }> {
    return firstValueFrom(this.orders.send<{ price: number }>('order.quote', { tenantId, items }));
  }
}

@Module({
  imports: [
    ClientsModule.register([{ name: 'ORDERS', customClass: IggyClientProxy, options: { timeoutMs: 2_000 } }]),
    // or, with the connector injected explicitly:
    ClientsModule.registerAsync([
      {
        name: 'ORDERS_ASYNC',
        inject: [IGGY_CONNECTOR],
        useFactory: (connector: IggyConnector) => ({ customClass: IggyClientProxy, options: { connector } }),
      },
    ]),
  ],
  providers: [CheckoutService],
})
export class CheckoutModule {}

// ---------------------------------------------------------------------------------------------------
// README: "Configuration with @nestjs/config"

@Module({
  imports: [
    ConfigModule.forRoot({ load: [iggyConfigLoader({ yamlFile: 'config/app.yaml' })] }),
    IggyModule.forRootAsync({
      imports: [ConfigModule],
      inject: [ConfigService],
      useFactory: (config: ConfigService) => config.getOrThrow<IggyModuleOptions>(IGGY_CONFIG_KEY),
    }),
  ],
})
export class ConfiguredAppModule {}

@Module({
  imports: [
    ConfigModule.forRoot({ load: [iggyConfigLoader()] }), // IGGY_STREAM, IGGY_MODE, ... (table below)
    IggyModule.forRootAsync({
      imports: [ConfigModule],
      inject: [ConfigService],
      useFactory: (config: ConfigService) => config.getOrThrow<IggyModuleOptions>(IGGY_CONFIG_KEY),
    }),
  ],
})
export class EnvConfiguredAppModule {}

/** The README's YAML block, verbatim (the test checks it validates). */
export const readmeYaml = `
events:
  iggy:
    mode: embedded # or remote
    serialization: json # or msgpack
    topology: { stream_name: shop, domain_partitions: 8, replication_factor: 1 }
    embedded: { data_dir: ./data/iggy, tcp_port: 8090, http_port: 9090, persistent: true }
    remote:
      addresses: ['127.0.0.1:8090']
      username: iggy
      password: iggy
      tls_enabled: false
    retention: { domain_max_age_days: 30, domain_max_size_gb: 10, system_max_age_days: 7, dlq_max_age_days: 365 }
    retry: { attempts: 3, initial_delay_ms: 100, max_delay_ms: 5000, multiplier: 2, jitter: 0.2 }
    dlq: { enabled: true, topic: dlq }
    handlers: { concurrency: 4, idempotency: true, idempotency_window: 10000, shutdown_timeout_ms: 10000 }
    request_reply: { reply_topic: replies, timeout_ms: 5000 }
    publish: { linger_ms: 0, max_in_flight_messages: 20000, backpressure_timeout_ms: 30000 }
`;

// ---------------------------------------------------------------------------------------------------
// README: "Connectors"

/** Your own connector: any `IggyConnector` (here the embedded one, counting what it publishes). */
export class CountingConnector extends EmbeddedConnector {
  published = 0;

  override async publish(...args: Parameters<EmbeddedConnector['publish']>): Promise<void> {
    this.published++;
    await super.publish(...args);
  }
}

export const remoteModule = IggyModule.forRoot({
  mode: 'remote',
  streamName: 'shop',
  remote: { addresses: ['iggy-1:8090', 'iggy-2:8090'], username: 'shop', password: 'secret' },
});

export const customConnectorModule = IggyModule.forRoot({
  streamName: 'shop',
  connector: { useClass: CountingConnector },
});

// ---------------------------------------------------------------------------------------------------
// README: "Publishing: batching, backpressure, a server that is down"

export const publishingModule = IggyModule.forRoot({
  streamName: 'shop',
  publish: {
    lingerMs: 0, // wait this long for company (0: the publishes of the same tick)
    maxBatchMessages: 1000, // per append / SendMessages
    maxBatchBytes: 1024 * 1024,
    maxInFlightMessages: 20_000, // accepted, not yet acknowledged
    maxInFlightBytes: 32 * 1024 * 1024,
    maxWaitingMessages: 20_000, // waiting for room; beyond, ConnectorError 'Backpressure' at once
    maxWaitingBytes: 32 * 1024 * 1024,
    backpressureTimeoutMs: 30_000, // then ConnectorError 'Backpressure' (0: fail at once)
  },
  shutdownTimeoutMs: 5_000, // connector shutdown: send what is queued, wait this long, then close
  remote: { offlineTimeoutMs: 2_000 }, // remote: wait this long for a lost connection, then fail fast
});

// ---------------------------------------------------------------------------------------------------
// README: "Event handlers"

interface OrderCreated {
  orderId: string;
  total: number;
}

@Injectable()
export class BillingHandlers {
  @IggyEventHandler('order.created', { group: 'billing', retry: { attempts: 5 } })
  async charge(envelope: EventEnvelope<OrderCreated>, ctx: IggyEventContext): Promise<void> {
    if (envelope.payload.total < 0) throw new NonRetryableError('negative total'); // straight to the DLQ
    await chargeCard(envelope.tenantId, envelope.payload, { idempotencyKey: envelope.id });
    void ctx.getAttempt(); // 1, 2, ... while the DLQ interceptor retries
  }

  @IggyEventHandler('order.#', { group: 'audit', concurrency: 8, startFrom: 'beginning' })
  audit(envelope: EventEnvelope, ctx: IggyEventContext): void {
    auditLog.push(`${ctx.getPartition()}@${ctx.getOffset()} ${envelope.type}`);
  }
}

const auditLog: string[] = [];
async function chargeCard(_tenant: string, _order: OrderCreated, _o: { idempotencyKey: string }) {}

// ---------------------------------------------------------------------------------------------------
// README: "Retries and the dead-letter queue"

@Injectable()
export class DlqOps {
  constructor(private readonly dlq: DlqManager) {}

  /** Sends billing's failed order events back to billing, once the bug is fixed. */
  async redriveBilling(): Promise<number> {
    const pending = await this.dlq.list({ group: 'billing', type: 'order.*' });
    for (const deadLetter of pending) await this.dlq.redrive(deadLetter.id);
    return pending.length;
  }
}

// ---------------------------------------------------------------------------------------------------
// README: "IggyServer: @EventPattern and @MessagePattern"

@Controller()
export class QuotesController {
  readonly shipped: string[] = [];

  @EventPattern<string>('order.shipped')
  onShipped(@Payload() order: { orderId: string }, @Ctx() ctx: IggyContext): void {
    this.shipped.push(`${ctx.getTenantId()}/${order.orderId}`);
  }

  @MessagePattern('order.quote')
  quote(@Payload() request: { items: number }): { price: number } {
    return { price: request.items * 10 };
  }
}

type ShopEvents = { 'order.cancelled': { orderId: string } };

@Controller()
export class CancellationsController {
  @EventPattern<ShopEvents>('order.cancelled')
  cancelled(data: ShopEvents['order.cancelled']): void {
    void data.orderId;
  }
}

export async function hybridMain(): Promise<void> {
  const app = await NestFactory.create(AppModule);
  app.connectMicroservice(
    { strategy: IggyServer.fromApp(app, { group: 'quotes' }) },
    { inheritAppConfig: true }, // the module's retry/DLQ interceptor reaches @EventPattern handlers
  );
  await app.startAllMicroservices();
  await app.listen(3000);
}

// ---------------------------------------------------------------------------------------------------
// README: "IggyClientProxy: emit and send"

@Injectable()
export class OrdersService {
  constructor(private readonly client: IggyClientProxy) {}

  async ship(order: { tenantId: string; orderId: string }): Promise<void> {
    // The tenant comes from `data.tenantId` (or an IggyRecord, or the module's `defaultTenantId`).
    await lastValueFrom(this.client.emit('order.shipped', order));
  }

  async shipAs(orderId: string, tenantId: string, actorId: string): Promise<void> {
    await lastValueFrom(
      this.client.emit('order.shipped', new IggyRecord({ orderId }, { tenantId, actorId })),
    );
  }

  quote(tenantId: string, items: number): Promise<{ price: number }> {
    return firstValueFrom(this.client.send<{ price: number }>('order.quote', { tenantId, items }));
  }
}

// ---------------------------------------------------------------------------------------------------
// README: "Replay"

@Injectable()
export class BillingReplay {
  constructor(private readonly replays: ReplayManager) {}

  /** Runs acme's events since `since` through the billing group's handlers again. */
  rebuild(since: Date): Promise<ReplayResult> {
    return this.replays.replay({
      group: 'billing',
      tenantId: 'acme',
      from: { timestamp: since },
      onProgress: (p) => console.log(`partition ${p.partition}: ${p.processed}/${p.total}`),
    });
  }
}

// ---------------------------------------------------------------------------------------------------
// README: "Health"

@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly iggy: IggyHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([() => this.iggy.isHealthy('iggy', { maxLag: 10_000 })]);
  }
}

@Module({
  imports: [TerminusModule, IggyModule.forRoot({ streamName: 'shop' })],
  controllers: [HealthController],
})
export class HealthAppModule {}

// ---------------------------------------------------------------------------------------------------
// The checks.

/** The test's in-memory stand-in for the README's options (no files, no ports). */
const inMemory = memoryConfig({ streamName: 'shop', partitions: 8 });
const here = fileURLToPath(import.meta.url);

const cleanups: (() => Promise<void>)[] = [];
beforeAll(() => void recordLogs());
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** An app of `module` with the 'quotes' `IggyServer` connected, as `hybridMain` does (no HTTP listener). */
async function startHybrid(module: Type): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({ imports: [module] }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  cleanups.push(() => app.close());
  app.connectMicroservice(
    { strategy: IggyServer.fromApp(app, { group: 'quotes', pollIntervalMs: 5 }) },
    { inheritAppConfig: true },
  );
  await app.startAllMicroservices();
  await app.init();
  return app;
}

describe('README examples', () => {
  it('type-check', () => {
    const configFile = resolve(dirname(here), '../../../tsconfig.json');
    const { config } = ts.readConfigFile(configFile, (path) => ts.sys.readFile(path));
    const parsed = ts.parseJsonConfigFileContent(config, ts.sys, dirname(configFile));
    const program = ts.createProgram([here], { ...parsed.options, noEmit: true });
    const problems = ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file?.fileName === here || d.file === undefined)
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(problems).toEqual([]);
  }, 120_000);

  it('the YAML block is a valid config', () => {
    expect(iggyConfigFromYamlText(readmeYaml)).toMatchObject({
      mode: 'embedded',
      streamName: 'shop',
      partitions: 8,
      remote: { addresses: ['127.0.0.1:8090'], tlsEnabled: false },
      retry: { attempts: 3, initialDelayMs: 100 },
      handlers: { idempotencyWindow: 10_000, shutdownTimeoutMs: 10_000 },
      requestReply: { replyTopic: 'replies', timeoutMs: 5_000 },
      topology: { replicationFactor: 1, retention: { dlqMaxAgeDays: 365 } },
    });
  });

  it('the minimal example boots and handles an emitted event', async () => {
    const app: TestingModule = await Test.createTestingModule({ imports: [AppModule] })
      .overrideProvider(IGGY_MODULE_OPTIONS)
      .useValue(inMemory)
      .compile();
    cleanups.push(() => app.close());
    await app.init();
    await lastValueFrom(app.get(IggyClientProxy).emit('user.registered', { tenantId: 'acme', name: 'Ada' }));
    await eventually(() => app.get(Greeter).greeted.length === 1);
    expect(app.get(Greeter).greeted).toEqual(['acme: hello Ada']);
  });

  it('the transport example: emit reaches @EventPattern, send is answered by @MessagePattern', async () => {
    @Module({
      imports: [IggyModule.forRoot(inMemory)],
      controllers: [QuotesController],
      providers: [OrdersService],
    })
    class ShopModule {}
    const app = await startHybrid(ShopModule);
    const orders = app.get(OrdersService);
    await orders.ship({ tenantId: 'acme', orderId: 'o-1' });
    await orders.shipAs('o-2', 'globex', 'u-7');
    await expect(orders.quote('acme', 3)).resolves.toEqual({ price: 30 });
    const controller = app.get(QuotesController);
    await eventually(() => controller.shipped.length === 2);
    expect(controller.shipped.sort()).toEqual(['acme/o-1', 'globex/o-2']);
  });

  it('a feature module injects the client without importing IggyModule; ClientsModule clients share its connector', async () => {
    @Module({
      imports: [IggyModule.forRoot(inMemory), UsersModule, CheckoutModule],
      controllers: [QuotesController],
      providers: [Greeter],
    })
    class ShopModule {}
    const app = await startHybrid(ShopModule);

    await app.get(SignupService).register('acme', 'Ada');
    await eventually(() => app.get(Greeter).greeted.length === 1);
    expect(app.get(Greeter).greeted).toEqual(['acme: hello Ada']);

    await expect(app.get(CheckoutService).quote('acme', 4)).resolves.toEqual({ price: 40 });
    const registered = app.get<IggyClientProxy>('ORDERS');
    const async = app.get<IggyClientProxy>('ORDERS_ASYNC');
    await expect(firstValueFrom(async.send('order.quote', { tenantId: 'acme', items: 1 }))).resolves.toEqual({
      price: 10,
    });
    const connector = app.get(IGGY_CONNECTOR);
    expect(registered.unwrap()).toBe(connector);
    expect(async.unwrap()).toBe(connector);
  });
});
