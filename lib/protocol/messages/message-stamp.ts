import { messageChecksum } from './checksum.js';
import { writeU128LE } from './message-batch.js';
import { randomMessageId } from './message-id.js';
import { protocolFault } from './message-decode.js';
import { MessageLayout } from './message-layout.js';
import { walkMessages } from './message-walk.js';

/** Options of `stampMessages`. */
export interface StampOptions {
  /** Give messages sent with id 0 a random (UUID v4) id, as the real server does. Default true. */
  assignIds?: boolean;
  /** The id source for `assignIds` (tests). */
  newId?: () => bigint;
}

/**
 * Stamps a validated run of messages in place, as the server does on append: offsets
 * `firstOffset`, `firstOffset + 1`, …, the append `timestamp` (µs) on every message, a random id
 * where the id is 0, then each message's checksum. Returns the number of messages.
 */
export function stampMessages(
  run: Buffer,
  firstOffset: bigint,
  timestamp: bigint,
  options: StampOptions = {},
): number {
  const assignIds = options.assignIds ?? true;
  const newId = options.newId ?? randomMessageId;
  const ends = walkMessages(run, { allowEmpty: true }, protocolFault('stamp'));
  let pos = 0;
  let offset = firstOffset;
  for (const end of ends) {
    run.writeBigUInt64LE(offset, pos + MessageLayout.offset);
    run.writeBigUInt64LE(timestamp, pos + MessageLayout.timestamp);
    if (assignIds && isZeroId(run, pos + MessageLayout.id)) writeU128LE(run, pos + MessageLayout.id, newId());
    run.writeBigUInt64LE(messageChecksum(run.subarray(pos, end)), pos + MessageLayout.checksum);
    offset++;
    pos = end;
  }
  return ends.length;
}

function isZeroId(buf: Buffer, at: number): boolean {
  return (
    buf.readUInt32LE(at) === 0 &&
    buf.readUInt32LE(at + 4) === 0 &&
    buf.readUInt32LE(at + 8) === 0 &&
    buf.readUInt32LE(at + 12) === 0
  );
}

/**
 * The index of the first message whose stored checksum does not match its bytes, or -1 when all
 * match (what recovery and `validate_checksum` check).
 */
export function firstBadChecksum(run: Buffer): number {
  const ends = walkMessages(run, { allowEmpty: true }, protocolFault('checksum'));
  let pos = 0;
  for (let i = 0; i < ends.length; i++) {
    const message = run.subarray(pos, ends[i]);
    if (message.readBigUInt64LE(MessageLayout.checksum) !== messageChecksum(message)) return i;
    pos = ends[i]!;
  }
  return -1;
}
