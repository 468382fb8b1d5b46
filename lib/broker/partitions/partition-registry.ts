import { BrokerError } from '../broker-error.js';
import type { ConsumerOffsetStore } from '../storage/consumer-offset-store.js';
import type { PartitionStore } from '../storage/partition-store.js';
import { partitionKeyString, type PartitionKey, type StorageBackend } from './storage-backend.js';

/** An open partition: its log and its stored consumer offsets (the last consumed offset, inclusive). */
export interface PartitionRuntime {
  key: PartitionKey;
  store: PartitionStore;
  offsets: ConsumerOffsetStore;
}

/** The open partitions of every topic. */
export class PartitionRegistry {
  private readonly runtimes = new Map<string, PartitionRuntime>();

  constructor(private readonly backend: StorageBackend) {}

  async open(key: PartitionKey): Promise<PartitionRuntime> {
    const id = partitionKeyString(key);
    const existing = this.runtimes.get(id);
    if (existing) return existing;
    const opened = await this.backend.openPartition(key);
    const runtime: PartitionRuntime = { key, ...opened };
    this.runtimes.set(id, runtime);
    return runtime;
  }

  /** The open partition; PartitionNotFound when it is not open (deleted meanwhile). */
  get(key: PartitionKey): PartitionRuntime {
    const runtime = this.runtimes.get(partitionKeyString(key));
    if (!runtime) {
      throw BrokerError.of(
        'PartitionNotFound',
        `partition ${key.partitionId} does not exist in topic ${key.topicId} of stream ${key.streamId}`,
      );
    }
    return runtime;
  }

  find(key: PartitionKey): PartitionRuntime | undefined {
    return this.runtimes.get(partitionKeyString(key));
  }

  /** Closes the partition and deletes its messages and offsets (they are in its directory). */
  async destroy(key: PartitionKey): Promise<void> {
    const runtime = this.runtimes.get(partitionKeyString(key));
    this.runtimes.delete(partitionKeyString(key));
    if (!runtime) return;
    await runtime.offsets.close();
    await runtime.store.destroy();
  }

  all(): PartitionRuntime[] {
    return [...this.runtimes.values()];
  }

  /** Flushes and closes every partition (the broker is stopping). */
  async closeAll(): Promise<void> {
    const runtimes = this.all();
    this.runtimes.clear();
    const results = await Promise.allSettled(runtimes.flatMap((r) => [r.store.close(), r.offsets.close()]));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
}
