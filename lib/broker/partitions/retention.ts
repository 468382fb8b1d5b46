import { MessageLayout } from '../../protocol/messages/message-layout.js';
import type { Catalog, StreamState, TopicState } from '../metadata/catalog.js';
import type { PartitionRegistry, PartitionRuntime } from './partition-registry.js';
import { U64_MAX } from '../types.js';

/** What one retention pass removed. */
export interface RetentionReport {
  /** Messages removed by message expiry. */
  expiredMessages: bigint;
  /** Sealed segments removed to bring topics under their max size. */
  trimmedSegments: number;
  trimmedBytes: bigint;
}

/**
 * One pass of the real server's message cleaner (0.7.0 `shard/system/segments.rs`), per topic:
 * - message expiry (µs; 0 and u64::MAX mean none): every partition deletes its sealed segments whose
 *   newest message is older than now − expiry; the active segment is never deleted;
 * - max topic size (bytes; 0 and u64::MAX mean unlimited): while the topic holds ≥ 90 % of it, the
 *   oldest sealed segment across the topic's partitions (by its first message's timestamp) is deleted.
 */
export async function runRetention(
  catalog: Catalog,
  partitions: PartitionRegistry,
  nowMicros: bigint,
): Promise<RetentionReport> {
  const report: RetentionReport = { expiredMessages: 0n, trimmedSegments: 0, trimmedBytes: 0n };
  for (const stream of [...catalog.streams.values()]) {
    for (const topic of [...stream.topics.values()]) {
      const runtimes = topicRuntimes(stream, topic, partitions);
      if (limited(topic.messageExpiry)) {
        for (const runtime of runtimes) {
          report.expiredMessages += await runtime.store.removeExpired(nowMicros, topic.messageExpiry);
        }
      }
      if (limited(topic.maxTopicSize)) await trimToSize(topic.maxTopicSize, runtimes, report);
    }
  }
  return report;
}

async function trimToSize(
  maxBytes: bigint,
  runtimes: PartitionRuntime[],
  report: RetentionReport,
): Promise<void> {
  const threshold = (maxBytes * 9n) / 10n;
  const candidates = new Set(runtimes);
  while (candidates.size > 0) {
    const size = runtimes.reduce((sum, r) => sum + r.store.stats().sizeBytes, 0n);
    if (size < threshold) return;
    const oldest = await oldestSealed(candidates);
    if (!oldest) return;
    const removed = await oldest.store.removeOldestSegment();
    if (removed === 0n) {
      candidates.delete(oldest);
      continue;
    }
    report.trimmedSegments++;
    report.trimmedBytes += removed;
  }
}

/** The partition whose first (sealed) segment starts with the oldest message. */
async function oldestSealed(candidates: Set<PartitionRuntime>): Promise<PartitionRuntime | null> {
  let best: PartitionRuntime | null = null;
  let bestTimestamp = 0n;
  for (const runtime of [...candidates]) {
    const stats = runtime.store.stats();
    if (stats.segmentsCount <= 1 || stats.firstOffset === null) {
      candidates.delete(runtime);
      continue;
    }
    const first = await runtime.store.readFromOffset(stats.firstOffset, 1);
    const timestamp = first.count > 0 ? first.messages.readBigUInt64LE(MessageLayout.timestamp) : 0n;
    if (!best || timestamp < bestTimestamp) {
      best = runtime;
      bestTimestamp = timestamp;
    }
  }
  return best;
}

function limited(value: bigint): boolean {
  return value !== 0n && value !== U64_MAX;
}

function topicRuntimes(
  stream: StreamState,
  topic: TopicState,
  partitions: PartitionRegistry,
): PartitionRuntime[] {
  const runtimes: PartitionRuntime[] = [];
  topic.partitions.forEach((_, partitionId) => {
    const runtime = partitions.find({ streamId: stream.id, topicId: topic.id, partitionId });
    if (runtime) runtimes.push(runtime);
  });
  return runtimes;
}
