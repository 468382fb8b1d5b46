import { randomFillSync } from 'node:crypto';
import { dataViewOf } from '../../protocol/messages/buffer-view.js';
import { stampChecksums } from '../../protocol/messages/checksum.js';
import { IndexEntryLayout, MessageLayout } from '../../protocol/messages/message-layout.js';

const TWO_32 = 2 ** 32;

/** Microseconds since the epoch, monotonic within the process (wall clock at start + a monotonic delta). */
export function monotonicMicros(): bigint {
  return BigInt(Math.floor((performance.timeOrigin + performance.now()) * 1000));
}

/** The timestamp of the next batch: the clock, but never below the previous batch's (clocks step back). */
export function nextBatchTimestamp(now: bigint, previous: bigint): bigint {
  return now > previous ? now : previous;
}

function idIsZero(dv: DataView, at: number): boolean {
  return (
    dv.getUint32(at, true) === 0 &&
    dv.getUint32(at + 4, true) === 0 &&
    dv.getUint32(at + 8, true) === 0 &&
    dv.getUint32(at + 12, true) === 0
  );
}

/**
 * A random UUID v4 as the real server assigns it (`Uuid::new_v4().to_u128_le()`): the UUID's bytes in
 * textual order are the little-endian u128.
 */
function writeRandomId(batch: Buffer, at: number, random: Buffer, randomAt: number): void {
  random.copy(batch, at, randomAt, randomAt + 16);
  batch[at + 6] = (batch[at + 6]! & 0x0f) | 0x40; // version 4
  batch[at + 8] = (batch[at + 8]! & 0x3f) | 0x80; // RFC 4122 variant
}

/**
 * The one stamper: stamps, in place, every message of `batch` (message i ends at `ends[i]`, as the
 * validating walk returned them): offset `firstOffset + i`, the batch `timestamp`, a random UUID for an
 * id of 0, then the checksum over bytes 8..end.
 */
export function stampBatch(batch: Buffer, ends: Uint32Array, firstOffset: bigint, timestamp: bigint): void {
  // Hot loop: DataView u32 stores are inlined by V8; Buffer#write* and bigint math are several times slower.
  const dv = dataViewOf(batch);
  const count = ends.length;
  const numeric = firstOffset + BigInt(count) <= BigInt(Number.MAX_SAFE_INTEGER);
  const first = Number(firstOffset);
  const tsLow = Number(timestamp & 0xffffffffn);
  const tsHigh = Number(timestamp >> 32n);
  let random: Buffer | null = null;
  let start = 0;
  for (let i = 0; i < count; i++) {
    if (numeric) {
      const offset = first + i;
      dv.setUint32(start + MessageLayout.offset, offset % TWO_32, true);
      dv.setUint32(start + MessageLayout.offset + 4, Math.floor(offset / TWO_32), true);
    } else {
      dv.setBigUint64(start + MessageLayout.offset, firstOffset + BigInt(i), true);
    }
    dv.setUint32(start + MessageLayout.timestamp, tsLow, true);
    dv.setUint32(start + MessageLayout.timestamp + 4, tsHigh, true);
    if (idIsZero(dv, start + MessageLayout.id)) {
      random ??= randomFillSync(Buffer.allocUnsafe(16 * count));
      writeRandomId(batch, start + MessageLayout.id, random, 16 * i);
    }
    start = ends[i]!;
  }
  stampChecksums(batch, ends);
}

/**
 * Writes into `entries` the 16-byte index entries of a stamped batch about to be written at byte
 * `basePosition` of a segment: relative offset `firstRelativeOffset + i`, end position
 * `basePosition + ends[i]`, the batch timestamp.
 */
export function writeIndexEntries(
  entries: Buffer,
  ends: Uint32Array,
  firstRelativeOffset: number,
  basePosition: number,
  timestamp: bigint,
): void {
  const dv = dataViewOf(entries);
  const tsLow = Number(timestamp & 0xffffffffn);
  const tsHigh = Number(timestamp >> 32n);
  for (let i = 0; i < ends.length; i++) {
    const at = i * IndexEntryLayout.bytes;
    dv.setUint32(at + IndexEntryLayout.offset, firstRelativeOffset + i, true);
    dv.setUint32(at + IndexEntryLayout.position, basePosition + ends[i]!, true);
    dv.setUint32(at + IndexEntryLayout.timestamp, tsLow, true);
    dv.setUint32(at + IndexEntryLayout.timestamp + 4, tsHigh, true);
  }
}
