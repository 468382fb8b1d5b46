import { Logger, type InjectionToken, type Provider } from '@nestjs/common';
import type { IggyConnector } from '../../connectors/iggy-connector.js';
import type { IggyTelemetry } from '../../observability/iggy-telemetry.js';
import { IGGY_TELEMETRY } from '../../observability/observability.constants.js';
import { OutboxRelay } from '../outbox-relay.js';
import type { OutboxStore } from '../outbox-store.js';
import { TransactionalEventBus } from '../transactional-event-bus.js';
import { IGGY_OUTBOX_OPTIONS, IGGY_OUTBOX_STORE } from './outbox.constants.js';
import type { IggyOutboxOptions } from './outbox-options.interface.js';
import { OutboxRelayHost } from './outbox-relay.host.js';

export interface OutboxProviderTokens {
  /** Token of the connected `IggyConnector`. */
  connector: InjectionToken;
  /**
   * Token of the `IggyOutboxOptions` (e.g. a factory over the module options); leave it out and
   * provide `IGGY_OUTBOX_OPTIONS` yourself.
   */
  options?: InjectionToken;
  /** Token of the `IggyTelemetry` (optional; none: no outbox telemetry). */
  telemetry?: InjectionToken;
}

/**
 * The outbox for a Nest module: `TransactionalEventBus` (inject it by class), `OutboxRelay` (`null`
 * when `relay: false`), the store under `IGGY_OUTBOX_STORE`, and the host that starts and stops the
 * relay with the application. When the options resolve to `null` (no outbox configured) every one of
 * them is `null`, so a module can register these providers unconditionally.
 */
export function createOutboxProviders(tokens: OutboxProviderTokens): Provider[] {
  const optionsToken = tokens.options ?? IGGY_OUTBOX_OPTIONS;
  const telemetryToken = { token: tokens.telemetry ?? IGGY_TELEMETRY, optional: true };
  const providers: Provider[] = [
    {
      provide: IGGY_OUTBOX_STORE,
      useFactory: async (options: IggyOutboxOptions | null): Promise<OutboxStore<never> | null> => {
        if (!options) return null;
        if (options.ensureSchema !== false) await options.store.ensureSchema();
        return options.store;
      },
      inject: [optionsToken],
    },
    {
      provide: TransactionalEventBus,
      useFactory: (
        store: OutboxStore<never> | null,
        options: IggyOutboxOptions | null,
        telemetry: IggyTelemetry | null | undefined,
      ) =>
        store && options
          ? new TransactionalEventBus(store, {
              serializer: options.serializer,
              target: options.target,
              ...(telemetry && { telemetry: telemetry.producer }),
            })
          : null,
      inject: [IGGY_OUTBOX_STORE, optionsToken, telemetryToken],
    },
    {
      provide: OutboxRelay,
      useFactory: (
        store: OutboxStore<never> | null,
        connector: IggyConnector,
        options: IggyOutboxOptions | null,
        bus: TransactionalEventBus<never> | null,
        telemetry: IggyTelemetry | null | undefined,
      ): OutboxRelay | null =>
        !store || !options || !bus || options.relay === false
          ? null
          : new OutboxRelay({
              logger: new Logger('IggyOutboxRelay'),
              ...(telemetry && { telemetry: telemetry.producer }),
              ...options.relay,
              store,
              connector,
              bus,
            }),
      inject: [IGGY_OUTBOX_STORE, tokens.connector, optionsToken, TransactionalEventBus, telemetryToken],
    },
    OutboxRelayHost,
  ];
  if (optionsToken !== IGGY_OUTBOX_OPTIONS) {
    providers.push({ provide: IGGY_OUTBOX_OPTIONS, useExisting: optionsToken });
  }
  return providers;
}

/** What a module re-exports so the app can inject the bus and the relay. */
export const OUTBOX_EXPORTS = [TransactionalEventBus, OutboxRelay, IGGY_OUTBOX_STORE] as const;
