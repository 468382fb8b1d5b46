import { partitionForKey } from '../protocol/messages/partition-key.js';
import { ConnectorError } from './connector-error.js';

/**
 * The 0-based partition a partition key lands on in a topic of `partitionsCount` partitions: the one a
 * real Iggy server picks for a messages-key send with the key's UTF-8 bytes (XxHash32, seed 0, mod the
 * count). Both connectors publish with messages-key partitioning, so this is where the message goes.
 */
export function calculatePartition(key: string, partitionsCount: number): number {
  const bytes = Buffer.from(key, 'utf8');
  if (bytes.length === 0 || bytes.length > 255) {
    throw new ConnectorError('Config', `partition key must be 1..255 bytes of UTF-8, got ${bytes.length}`);
  }
  if (!Number.isInteger(partitionsCount) || partitionsCount <= 0) {
    throw new ConnectorError('Config', `partitionsCount must be a positive integer, got ${partitionsCount}`);
  }
  return partitionForKey(bytes, partitionsCount);
}
