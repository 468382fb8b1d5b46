import { calculatePartition } from './calculate-partition.js';
import type { PendingPublish } from './publish-call.js';

/** Partition keys whose partition a topic remembers (tenants, typically); past it, it starts over. */
const MAX_REMEMBERED_KEYS = 10_000;

/** What is queued for one topic, and how its partition keys map for the current partition count. */
export class TopicQueue {
  entries: PendingPublish[] = [];
  /** A partition-count lookup in progress: later flushes of the topic go behind it (order). */
  chain: Promise<void> | undefined;
  /** The partition count, trusted until `expiresAt` (a missing topic is not remembered). */
  known: { count: number; expiresAt: number } | undefined;
  private count = 0;
  private readonly byKey = new Map<string, number>();

  constructor(
    readonly stream: string,
    readonly topic: string,
  ) {}

  take(): PendingPublish[] {
    const entries = this.entries;
    this.entries = [];
    return entries;
  }

  /** The partition of each key for `count` partitions (remembered while the count stays the same). */
  partitioner(count: number): (key: string) => number {
    if (count !== this.count) {
      this.count = count;
      this.byKey.clear();
    }
    return (key) => {
      let partition = this.byKey.get(key);
      if (partition === undefined) {
        partition = calculatePartition(key, count);
        if (this.byKey.size >= MAX_REMEMBERED_KEYS) this.byKey.clear();
        this.byKey.set(key, partition);
      }
      return partition;
    };
  }
}
