import type { AddressInfo } from 'node:net';
import {
  Inject,
  Injectable,
  Module,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
  type Provider,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { verifyUser } from '../../broker/http/http-access.js';
import { EmbeddedConnector } from '../../connectors/embedded-connector.js';
import type { IggyConnector } from '../../connectors/iggy-connector.js';
import { DeadLetterWriter } from '../../dlq/dead-letter.writer.js';
import { DlqManager } from '../../dlq/dlq.manager.js';
import { ConsumerGroupManager } from '../../handlers/consumer-group.manager.js';
import {
  IGGY_HEALTH_OUTBOX_RELAY,
  IGGY_HEALTH_OUTBOX_STORE,
  type OutboxLagReader,
  type OutboxRelayStatsReader,
} from '../../health/outbox-health-source.js';
import { IGGY_CONNECTOR, IGGY_OPTIONS } from '../../module/iggy.constants.js';
import type { ResolvedIggyModuleOptions } from '../../module/interfaces/resolved-iggy-options.interface.js';
import { DashboardFeed } from '../dashboard-feed.js';
import { DashboardHttp } from '../dashboard-http.js';
import type { DashboardSource } from '../dashboard-reading.js';
import { AppDashboardSource } from './app-dashboard-source.js';
import { DashboardAccess, type CredentialCheck } from './dashboard-access.js';
import { DeadLetterDigest } from './dead-letter-digest.js';
import { createDashboardController } from './iggy-dashboard.controller.js';
import {
  IGGY_DASHBOARD_HTTP,
  IGGY_DASHBOARD_OPTIONS,
  IGGY_DASHBOARD_SOURCE,
} from './iggy-dashboard.constants.js';
import type { IggyDashboardOptions } from './iggy-dashboard-options.interface.js';

/**
 * Puts the application's view on the embedded broker's listener once the app is up (its groups run by
 * then), gives the broker its own view back when the app stops, and ends the app's open feeds.
 */
@Injectable()
class IggyDashboardHost implements OnApplicationBootstrap, OnModuleDestroy {
  private restore: (() => void) | undefined;

  constructor(
    @Inject(IGGY_DASHBOARD_OPTIONS) private readonly options: IggyDashboardOptions,
    @Inject(IGGY_CONNECTOR) private readonly connector: IggyConnector,
    @Inject(IGGY_DASHBOARD_SOURCE) private readonly source: DashboardSource,
    @Inject(IGGY_DASHBOARD_HTTP) private readonly http: DashboardHttp,
  ) {}

  onApplicationBootstrap(): void {
    if (this.options.brokerListener === false || !(this.connector instanceof EmbeddedConnector)) return;
    const feed = this.connector.httpDashboard?.feed;
    if (!feed) return;
    const previous = feed.useSource(this.source);
    this.restore = () => feed.useSource(previous);
  }

  onModuleDestroy(): void {
    this.restore?.();
    this.restore = undefined;
    this.http.close();
  }
}

const sourceProvider: Provider = {
  provide: IGGY_DASHBOARD_SOURCE,
  inject: [
    IGGY_CONNECTOR,
    IGGY_OPTIONS,
    { token: ConsumerGroupManager, optional: true },
    { token: DlqManager, optional: true },
    { token: DeadLetterWriter, optional: true },
    { token: IGGY_HEALTH_OUTBOX_STORE, optional: true },
    { token: IGGY_HEALTH_OUTBOX_RELAY, optional: true },
  ],
  useFactory: (
    connector: IggyConnector,
    options: ResolvedIggyModuleOptions,
    groups: ConsumerGroupManager | undefined,
    dlq: DlqManager | undefined,
    writer: DeadLetterWriter | undefined,
    store: OutboxLagReader | null | undefined,
    relay: OutboxRelayStatsReader | null | undefined,
  ): DashboardSource =>
    new AppDashboardSource({
      connector,
      options,
      groups: groups ?? null,
      deadLetters: dlq && writer ? new DeadLetterDigest(dlq, connector, writer.target) : null,
      outbox: store ? { store, relay: relay ?? null } : null,
    }),
};

const httpProvider: Provider = {
  provide: IGGY_DASHBOARD_HTTP,
  inject: [IGGY_DASHBOARD_OPTIONS, IGGY_DASHBOARD_SOURCE, IGGY_CONNECTOR, HttpAdapterHost],
  useFactory: (
    options: IggyDashboardOptions,
    source: DashboardSource,
    connector: IggyConnector,
    adapterHost: HttpAdapterHost,
  ): DashboardHttp =>
    new DashboardHttp(
      new DashboardFeed(source, options.refreshMs ?? 1_000),
      new DashboardAccess({
        boundHost: () => boundHostOf(adapterHost),
        token: options.token,
        users: connector instanceof EmbeddedConnector ? embeddedUsers(connector) : undefined,
        allowedHosts: options.allowedHosts,
        alwaysRequireCredentials: options.alwaysRequireCredentials,
      }),
    ),
};

/**
 * The live dashboard of `IggyModule`'s server in a Nest application: streams, topics and partitions
 * (messages, sizes, messages/s), consumer groups (members, lag per partition, this app's handler
 * counters), pending dead letters per group and type, and the outbox. Import it beside
 * `IggyModule.forRoot` (which must be global, the default); the page is at `path` (default `/iggy`).
 * On the embedded broker with an HTTP listener the same view is served there at `/` too.
 */
@Module({})
export class IggyDashboardModule {
  static forRoot(options: IggyDashboardOptions = {}): DynamicModule {
    return {
      module: IggyDashboardModule,
      controllers: [createDashboardController(options.path ?? 'iggy')],
      providers: [
        { provide: IGGY_DASHBOARD_OPTIONS, useValue: options },
        sourceProvider,
        httpProvider,
        IggyDashboardHost,
      ],
      exports: [IGGY_DASHBOARD_SOURCE],
    };
  }
}

/** The address the app's HTTP server listens on; a Unix socket counts as loopback, not listening as unknown. */
function boundHostOf(adapterHost: HttpAdapterHost): string | undefined {
  const server = adapterHost.httpAdapter?.getHttpServer() as { address?: () => AddressInfo | string | null };
  const address = server?.address?.();
  if (typeof address === 'string') return 'localhost';
  return address?.address;
}

/** The embedded broker's users (the broker is there once the connector is connected). */
function embeddedUsers(connector: EmbeddedConnector): CredentialCheck {
  return async (credentials, client) => {
    const broker = connector.broker;
    // No JWT here: the broker's HTTP API issues those for its own listener.
    return broker ? verifyUser(broker, null, credentials, client, 'readStreams') : 'invalid';
  };
}
