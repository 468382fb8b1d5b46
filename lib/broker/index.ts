export { Broker } from './broker.js';
export { BrokerSession } from './broker-session.js';
export { IggyError, isIggyError } from '../protocol/iggy-error.js';
export type { IggySession } from '../protocol/iggy-session.js';
export {
  BrokerDefaults,
  resolveBrokerConfig,
  type BrokerConfig,
  type BrokerLogger,
  type ResolvedBrokerConfig,
} from './broker-config.js';
export { BrokerError, isBrokerError } from './broker-error.js';
export type {
  BrokerOverview,
  ConsumerGroupOverview,
  GroupMemberOverview,
  GroupPartitionOffset,
  StreamOverview,
  TopicOverview,
} from './broker-inspection.js';
export * from './types.js';
export type { FsyncMode } from './storage/partition-store.js';
export type { TailCacheLimits } from './storage/tail-cache.js';
export type { AppendListener } from './partitions/append-signals.js';
export { StorageError } from './storage/storage-error.js';
export { EmbeddedServer, type EmbeddedServerConfig } from './embedded-server.js';
export { ListenError, type ListenAddress, type ListenerKind } from './listen.js';
export { InsecureListenerError, isLoopbackHost } from './network-exposure.js';
export { DEFAULT_ROOT_CREDENTIALS } from './metadata/root-credentials.js';
export { ConnectionLimitDefaults, type ConnectionLimits } from './tcp/connection-limits.js';
export { BrokerTcpServer, TcpServerDefaults, type TcpServerOptions } from './tcp/tcp-server.js';
export type { TcpObserver } from './tcp/tcp-connection.js';
export type { TlsMaterial } from './tcp/tls-material.js';
export { BrokerHttpServer, HttpServerDefaults, type HttpServerOptions } from './http/http-server.js';
export { BrokerMetrics } from './http/broker-metrics.js';
