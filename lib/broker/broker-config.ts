import type { LoginThrottleOptions } from './commands/login-throttle.js';
import { generationOfServerVersion, type ServerGeneration } from './metadata/server-generation.js';
import type { FsyncMode } from './storage/partition-store.js';
import { DEFAULT_TAIL_CACHE_LIMITS, type TailCacheLimits } from './storage/tail-cache.js';

/** Where the broker reports what it does; `console` fits, so does a Nest or pino logger. */
export interface BrokerLogger {
  debug?(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** How to run an embedded broker. Only `dataDir` is needed for a persistent one. */
export interface BrokerConfig {
  /** Directory of the data (metadata snapshot, partitions, offsets, lock file). Required when persistent. */
  dataDir?: string;
  /** false: everything in memory, nothing on disk (fast tests). Default true. */
  persistent?: boolean;
  /**
   * Durability of acknowledged appends. Default `{ kind: 'interval', ms: 1000 }`: a machine crash can
   * lose up to a second of acknowledged messages (the real server, by default, never fsyncs).
   */
  fsync?: FsyncMode;
  /** Segment rollover size in bytes. Default 1 GiB (the real server's default). */
  segmentSizeBytes?: number;
  /**
   * How many of the last appended bytes stay in memory, so polls of the tail are served without reading
   * the file: per partition (default 2 MiB; 0 = off) and for all partitions together (default 16 MiB).
   * Persistent brokers only (an in-memory one holds everything anyway).
   */
  tailCache?: Partial<TailCacheLimits>;
  /**
   * The root user's name. Default `iggy` on first boot; when set, a later start renames the root user to
   * it (logged) if it was called otherwise.
   */
  rootUsername?: string;
  /**
   * The root user's password. When set, it is the root password at every start: a data directory whose
   * root has another one gets this one (logged as a warning; a password changed over the protocol since
   * is replaced too). When unset, the first boot generates a random one (`Broker.generatedRootPassword`,
   * never logged) and later starts keep the stored one; in-process sessions need none.
   */
  rootPassword?: string;
  /**
   * Told the generated root password as soon as the root user is stored, before any listener starts
   * (a start that fails later, on a port in use say, must not lose the only chance to show it).
   */
  onRootPasswordGenerated?: (password: string) => void;
  /** How often retention (message expiry, max topic size) runs; 0 disables the timer. Default 60 s. */
  retentionIntervalMs?: number;
  /** After how long a pending partition hand-over in a consumer group is forced. Default 30 s. */
  rebalancingTimeoutMs?: number;
  /** Personal access tokens a user may hold. Default 100. */
  maxTokensPerUser?: number;
  /**
   * Failed logins throttled per client address (default: 5 within a minute, then blocked 1 s, doubling
   * up to 5 min); `false` turns it off.
   */
  loginThrottle?: Partial<LoginThrottleOptions> | false;
  /**
   * Version reported by stats, and the release whose answers the broker gives where 0.7 and 0.8 differ
   * (`0.7.x` → 0.7, anything else → 0.8) to clients that do not say which they were built for. Default
   * `0.8.0-embedded`.
   */
  serverVersion?: string;
  /** Default: silent. */
  logger?: BrokerLogger;
}

/** BrokerConfig with every default filled in. */
export interface ResolvedBrokerConfig {
  dataDir: string | null;
  persistent: boolean;
  fsync: FsyncMode;
  segmentSizeBytes: number;
  tailCache: TailCacheLimits;
  /** null: `iggy` on first boot, the stored name after. */
  rootUsername: string | null;
  /** null: generated on first boot, the stored one after. */
  rootPassword: string | null;
  onRootPasswordGenerated: ((password: string) => void) | undefined;
  retentionIntervalMs: number;
  rebalancingTimeoutMs: number;
  maxTokensPerUser: number;
  loginThrottle: Partial<LoginThrottleOptions> | false;
  serverVersion: string;
  /** Derived from `serverVersion`. */
  generation: ServerGeneration;
  logger: BrokerLogger;
}

export const BrokerDefaults = {
  segmentSizeBytes: 1024 * 1024 * 1024,
  rootUsername: 'iggy',
  retentionIntervalMs: 60_000,
  rebalancingTimeoutMs: 30_000,
  maxTokensPerUser: 100,
  serverVersion: '0.8.0-embedded',
} as const;

const silentLogger: BrokerLogger = { info() {}, warn() {}, error() {} };

export function resolveBrokerConfig(config: BrokerConfig): ResolvedBrokerConfig {
  const persistent = config.persistent ?? true;
  if (persistent && !config.dataDir) {
    throw new Error('BrokerConfig.dataDir is required when persistent is true (or set persistent: false)');
  }
  const segmentSizeBytes = config.segmentSizeBytes ?? BrokerDefaults.segmentSizeBytes;
  if (!Number.isInteger(segmentSizeBytes) || segmentSizeBytes <= 0) {
    throw new Error(`BrokerConfig.segmentSizeBytes must be a positive integer, got ${segmentSizeBytes}`);
  }
  const tailCache = { ...DEFAULT_TAIL_CACHE_LIMITS, ...config.tailCache };
  for (const [name, value] of Object.entries(tailCache)) {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new Error(`BrokerConfig.tailCache.${name} must be a non-negative integer, got ${value}`);
    }
  }
  const serverVersion = config.serverVersion ?? BrokerDefaults.serverVersion;
  return {
    dataDir: config.dataDir ?? null,
    persistent,
    fsync: config.fsync ?? { kind: 'interval', ms: 1000 },
    segmentSizeBytes,
    tailCache,
    rootUsername: config.rootUsername ?? null,
    rootPassword: config.rootPassword ?? null,
    onRootPasswordGenerated: config.onRootPasswordGenerated,
    retentionIntervalMs: config.retentionIntervalMs ?? BrokerDefaults.retentionIntervalMs,
    rebalancingTimeoutMs: config.rebalancingTimeoutMs ?? BrokerDefaults.rebalancingTimeoutMs,
    maxTokensPerUser: config.maxTokensPerUser ?? BrokerDefaults.maxTokensPerUser,
    loginThrottle: config.loginThrottle ?? {},
    serverVersion,
    generation: generationOfServerVersion(serverVersion),
    logger: config.logger ?? silentLogger,
  };
}
