import type { Serializer } from '../../events/serializer.js';
import type { OutboxRelayOptions } from '../outbox-relay-options.js';
import type { OutboxStore } from '../outbox-store.js';

/** The outbox part of the module's options. */
export interface IggyOutboxOptions {
  /** Where rows live: `new PgOutboxStore({ pool })`, `new TypeOrmOutboxStore({ dataSource })`... */
  store: OutboxStore<never>;
  /** Create the table when missing at start-up (default true; off when you run the DDL yourself). */
  ensureSchema?: boolean;
  /**
   * The relay of this instance (default on, with the relay's defaults); `false` when another process
   * relays. Several instances may all relay: one at a time works, the others stand by.
   */
  relay?: false | Omit<OutboxRelayOptions, 'store' | 'connector' | 'bus'>;
  /** Payload serializer of `publishInTx` (default: the module's, else JSON). */
  serializer?: Serializer;
  /** Where events go (default: the connector's stream and topic). */
  target?: { stream: string; topic: string };
}
