import type { ResolvedBrokerConfig } from './broker-config.js';
import type { Views } from './commands/views.js';
import type { LoginThrottle } from './commands/login-throttle.js';
import type { SystemStats } from './commands/system-stats.js';
import type { AccessTokenStore } from './metadata/access-tokens.js';
import type { Catalog } from './metadata/catalog.js';
import type { ClientRegistry } from './metadata/clients.js';
import type { UserStore } from './metadata/users.js';
import type { Messaging, TrafficCounters } from './partitions/messaging.js';
import type { PartitionRegistry } from './partitions/partition-registry.js';
import type { StorageBackend } from './partitions/storage-backend.js';

/**
 * The parts of one broker, built by `openState` (`bootstrap.ts`). No command takes the whole: each
 * declares the few parts it uses as a `Pick` of this.
 */
export interface BrokerState {
  config: ResolvedBrokerConfig;
  catalog: Catalog;
  users: UserStore;
  tokens: AccessTokenStore;
  clients: ClientRegistry;
  /** Failed logins per client address; null when turned off. */
  loginThrottle: LoginThrottle | null;
  partitions: PartitionRegistry;
  backend: StorageBackend;
  messaging: Messaging;
  views: Views;
  traffic: TrafficCounters;
  /** The process and host figures of GetStats. */
  stats: SystemStats;
  /** Saves the metadata snapshot (no-op when not persistent); resolves once it is durable. */
  persist(): Promise<void>;
  /** Runs metadata changes one at a time (they await storage between validation and commit). */
  exclusive<T>(change: () => Promise<T>): Promise<T>;
}
