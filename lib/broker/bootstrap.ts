import type { ResolvedBrokerConfig } from './broker-config.js';
import { AccessTokenStore } from './metadata/access-tokens.js';
import { Catalog } from './metadata/catalog.js';
import { ClientRegistry } from './metadata/clients.js';
import type { BrokerState } from './broker-state.js';
import { LoginThrottle } from './commands/login-throttle.js';
import { Messaging, type TrafficCounters } from './partitions/messaging.js';
import { MetadataFile, type MetadataSnapshot } from './metadata/metadata-file.js';
import { PartitionRegistry } from './partitions/partition-registry.js';
import { applyRootCredentials } from './metadata/root-credentials.js';
import { fileBackend, memoryBackend, type StorageBackend } from './partitions/storage-backend.js';
import { UserStore } from './metadata/users.js';
import { Views } from './commands/views.js';
import { SystemStats } from './commands/system-stats.js';

/** A started broker's state and where its metadata is saved (null when not persistent). */
export interface OpenedState {
  ctx: BrokerState;
  metadata: MetadataFile | null;
  /** The root password generated on this first boot (none was configured), else null. */
  generatedRootPassword: string | null;
}

/**
 * Brings a broker's state up: creates the data directory when missing and takes its lock (persistent),
 * loads the metadata snapshot, opens (recovering) every partition with its offsets, and creates the root
 * user on first boot or applies the configured root credentials (`applyRootCredentials`).
 * On failure everything opened is closed again and the lock released.
 */
export async function openState(config: ResolvedBrokerConfig): Promise<OpenedState> {
  const options = {
    segmentSizeBytes: config.segmentSizeBytes,
    fsync: config.fsync,
    tailCache: config.tailCache,
    logger: config.logger,
  };
  const backend = config.persistent ? await fileBackend(config.dataDir!, options) : memoryBackend(options);
  const metadata = config.persistent ? new MetadataFile(config.dataDir!) : null;
  const ctx = createContext(config, backend, metadata);
  let generatedRootPassword: string | null;
  try {
    generatedRootPassword = await load(ctx, metadata);
  } catch (error) {
    await ctx.partitions.closeAll().catch(() => undefined);
    await backend.close().catch(() => undefined);
    throw error;
  }
  return { ctx, metadata, generatedRootPassword };
}

async function load(ctx: BrokerState, metadata: MetadataFile | null): Promise<string | null> {
  const snapshot = await metadata?.load();
  if (snapshot) {
    ctx.catalog.restore(snapshot.catalog);
    ctx.users.restore(snapshot.users);
    ctx.tokens.restore(snapshot.tokens);
    const exists = (streamId: number, topicId?: number): boolean => {
      const stream = ctx.catalog.findStream(streamId);
      return !!stream && (topicId === undefined || !!ctx.catalog.findTopic(stream, topicId));
    };
    if (ctx.users.forgetMissing(exists)) {
      ctx.config.logger.warn('removed permissions left on deleted streams or topics');
      await ctx.persist();
    }
  }
  for (const stream of ctx.catalog.streams.values()) {
    for (const topic of stream.topics.values()) {
      for (let partitionId = 0; partitionId < topic.partitions.length; partitionId++) {
        await ctx.partitions.open({ streamId: stream.id, topicId: topic.id, partitionId });
      }
    }
  }
  return applyRootCredentials(ctx);
}

function createContext(
  config: ResolvedBrokerConfig,
  backend: StorageBackend,
  metadata: MetadataFile | null,
): BrokerState {
  const catalog = new Catalog(config.segmentSizeBytes);
  const partitions = new PartitionRegistry(backend);
  const traffic: TrafficCounters = { readBytes: 0n, writtenBytes: 0n };
  const users = new UserStore();
  const tokens = new AccessTokenStore(config.maxTokensPerUser);
  const snapshot = (): MetadataSnapshot => ({
    version: 1,
    catalog: catalog.snapshot(),
    users: users.snapshot(),
    tokens: tokens.snapshot(),
  });
  return {
    config,
    catalog,
    users,
    tokens,
    clients: new ClientRegistry(),
    loginThrottle: config.loginThrottle === false ? null : new LoginThrottle(config.loginThrottle),
    partitions,
    backend,
    messaging: new Messaging(catalog, partitions, traffic),
    views: new Views(partitions),
    traffic,
    stats: new SystemStats(config.serverVersion, config.persistent ? config.dataDir : null),
    persist: async () => {
      if (metadata) await metadata.save(snapshot());
    },
    exclusive: createExclusive(),
  };
}

/** A FIFO lock over async sections. */
function createExclusive(): <T>(change: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(change: () => Promise<T>): Promise<T> => {
    const run = tail.then(change);
    tail = run.catch(() => undefined);
    return run;
  };
}
