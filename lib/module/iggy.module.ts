import { Logger, Module, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { IggyClientProxy } from '../transport/iggy.client-proxy.js';
import { shareClientOptions } from '../transport/shared-client-options.js';
import { IggyConfigurableModule } from './iggy.module-definition.js';
import { IGGY_EXPORTS, IGGY_PROVIDERS } from './iggy.providers.js';
import { IggyConnectorHost } from './iggy-connector.provider.js';

/**
 * Apache Iggy for Nest: `IggyModule.forRoot(options)` or `forRootAsync({ imports, inject, useFactory })`
 * (options validated at start-up). Provides the connected connector (`IGGY_CONNECTOR`, embedded or remote
 * by `mode`, or your own), the topology (stream + domain/system/dlq topics, ensured at start-up), the
 * `IggyClientProxy` (`IGGY_CLIENT`), the `@IggyEventHandler` consumer groups, the DLQ interceptor (global)
 * and `DlqManager`, `ReplayManager` and `IggyHealthIndicator`; with the `outbox` option also the
 * `TransactionalEventBus` and the `OutboxRelay` (started once the application is bootstrapped, stopped in
 * `onModuleDestroy`). On application shutdown (after the relay stopped, the microservices closed and the
 * handlers drained) it closes the client and shuts the connector down when it connected it; enable
 * shutdown hooks (`app.enableShutdownHooks()`) so a SIGTERM gets there.
 */
@Module({
  imports: [DiscoveryModule],
  providers: IGGY_PROVIDERS,
  exports: IGGY_EXPORTS,
})
export class IggyModule extends IggyConfigurableModule implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('IggyModule');
  private unshare: (() => void) | undefined;

  constructor(
    private readonly host: IggyConnectorHost,
    private readonly client: IggyClientProxy,
  ) {
    super();
  }

  /** Offers the module's connector and client options to `IggyClientProxy`s made without a connector. */
  onModuleInit(): void {
    if (this.host.clientOptions) this.unshare = shareClientOptions(this.host.clientOptions);
  }

  async onApplicationShutdown(): Promise<void> {
    this.unshare?.();
    this.unshare = undefined;
    await this.client
      .close()
      .catch((err: unknown) => this.logger.warn(`closing the client failed: ${String(err)}`));
    const connector = this.host.connector;
    if (connector && this.host.connectedByModule) {
      this.host.connectedByModule = false;
      await connector.shutdown();
      this.logger.log('connector shut down');
    }
  }
}
