import { ProtocolError } from '../protocol-error.js';
import type { BinaryReader } from './binary-reader.js';
import type { BinaryWriter } from './binary-writer.js';

/** Encoded size: `u8 flag` (1 = some, 0 = none) · `u32 partition id` (0 when none). */
export const OPTIONAL_PARTITION_ID_SIZE = 5;

/** Writes an optional 0-based partition id the way poll and the consumer-offset commands carry it. */
export function writeOptionalPartitionId(w: BinaryWriter, partitionId: number | null): void {
  if (partitionId === null) w.u8(0).u32(0);
  else w.u8(1).u32(partitionId);
}

/**
 * Reads an optional partition id. Stricter than the server (which treats any flag but 1 as none and
 * ignores the padding): the flag must be 0 or 1 and the padding of a missing id must be 0.
 */
export function readOptionalPartitionId(r: BinaryReader): number | null {
  const flag = r.u8('partition id flag');
  const value = r.u32('partition id');
  if (flag === 1) return value;
  if (flag !== 0) {
    throw new ProtocolError('InvalidValue', `${r.context}: partition id flag is ${flag}, expected 0 or 1`);
  }
  if (value !== 0) {
    throw new ProtocolError(
      'InvalidValue',
      `${r.context}: absent partition id has non-zero padding ${value}`,
    );
  }
  return null;
}
