import { PollingStrategy } from '../protocol/primitives/polling-strategy.js';
import { ConnectorError } from './connector-error.js';
import type { PartitionInfo, TopicInfo } from './iggy-connector.js';
import type { StartFrom } from './message-subscriber.js';

/** The offset the next message of a partition will get. */
export function endOffset(partition: PartitionInfo): bigint {
  return partition.currentOffset === null ? 0n : partition.currentOffset + 1n;
}

function checkStartFrom(startFrom: StartFrom): void {
  if (typeof startFrom === 'string') {
    if (startFrom === 'beginning' || startFrom === 'end' || startFrom === 'committed') return;
  } else if (startFrom !== null && typeof startFrom === 'object') {
    const value =
      'offset' in startFrom ? startFrom.offset : 'timestamp' in startFrom ? startFrom.timestamp : null;
    if (typeof value === 'bigint' && value >= 0n) return;
  }
  throw new ConnectorError(
    'Subscribe',
    `startFrom must be 'beginning', 'end', 'committed', { offset: bigint } or { timestamp: bigint }, got ${String(startFrom)}`,
  );
}

/**
 * A single consumer's first poll. `committed`: after its stored offset (from the first retained message
 * when none); `beginning`: the first retained message; `end`: the next message published after
 * subscribing; `{ offset }` / `{ timestamp }` (µs): exactly there. Later polls continue after the last
 * message handed out.
 */
export function singleStart(startFrom: StartFrom, partition: PartitionInfo): PollingStrategy {
  checkStartFrom(startFrom);
  if (startFrom === 'committed') return PollingStrategy.next();
  if (startFrom === 'beginning') return PollingStrategy.first();
  if (startFrom === 'end') return PollingStrategy.offset(endOffset(partition));
  return 'offset' in startFrom
    ? PollingStrategy.offset(startFrom.offset)
    : PollingStrategy.timestamp(startFrom.timestamp);
}

/**
 * A group member's floor per partition: the lowest offset it hands out there. A group always polls
 * `next` (after the group's stored offset), so `committed` and `beginning` need no floor (`beginning`
 * reads from the first retained message only while the group has stored nothing); `end` skips what was
 * published before subscribing, `{ offset }` what lies before that offset on every partition, and
 * `{ timestamp }` what was appended before that time. A floor never moves the group's stored offsets
 * (only `commit` does) and never goes back: where the group has committed further, that wins.
 */
export async function groupFloors(
  startFrom: StartFrom,
  topic: TopicInfo,
  firstOffsetAt: (partition: number, timestamp: bigint) => Promise<bigint | null>,
): Promise<Map<number, bigint>> {
  checkStartFrom(startFrom);
  const floors = new Map<number, bigint>();
  if (startFrom === 'committed' || startFrom === 'beginning') return floors;
  for (const partition of topic.partitions) {
    if (startFrom === 'end') floors.set(partition.id, endOffset(partition));
    else if ('offset' in startFrom) floors.set(partition.id, startFrom.offset);
    else {
      const found = await firstOffsetAt(partition.id, startFrom.timestamp);
      floors.set(partition.id, found ?? endOffset(partition));
    }
  }
  return floors;
}
