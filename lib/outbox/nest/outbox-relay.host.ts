import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { OutboxRelay } from '../outbox-relay.js';

/**
 * Starts the relay once the application is up (the connector connected, the topology ensured) and
 * stops it first thing at shutdown, before the connector goes.
 */
@Injectable()
export class OutboxRelayHost implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('IggyOutbox');

  constructor(@Inject(OutboxRelay) private readonly relay: OutboxRelay | null) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.relay) return;
    await this.relay.start();
    const { watching } = this.relay.stats();
    this.logger.log(`outbox relay started (${watching ? 'LISTEN/NOTIFY' : 'polling'})`);
  }

  async onModuleDestroy(): Promise<void> {
    await this.relay?.stop();
  }
}
