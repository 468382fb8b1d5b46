import { xxh32 } from '@node-rs/xxhash';
import { ProtocolError } from '../protocol-error.js';

/** The partition (0-based) the real server picks for a messages key: XxHash32(seed 0) mod count. */
export function partitionForKey(key: Uint8Array, partitionsCount: number): number {
  if (!Number.isInteger(partitionsCount) || partitionsCount <= 0) {
    throw new ProtocolError(
      'InvalidValue',
      `partitionsCount must be a positive integer, got ${partitionsCount}`,
    );
  }
  return xxh32(key, 0) % partitionsCount;
}
