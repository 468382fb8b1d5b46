import type { FileHandle } from 'node:fs/promises';
import { messageChecksum } from '../../protocol/messages/checksum.js';
import { dataViewOf } from '../../protocol/messages/buffer-view.js';
import { MessageLayout } from '../../protocol/messages/message-layout.js';
import { faultDetail, messageLength } from '../../protocol/messages/message-walk.js';
import { readFully } from './file-io.js';
import { INDEX_ENTRY_BYTES, writeEntry } from './index-entries.js';

const CHUNK_BYTES = 4 * 1024 * 1024;
const MAX_POSITION = 0xffffffff;

/** Sequential reads of a file through a large window, so walking small messages costs few syscalls. */
class WindowReader {
  private window = Buffer.alloc(0);
  private windowStart = 0;

  constructor(
    private readonly file: FileHandle,
    private readonly size: number,
  ) {}

  /** `length` bytes at `position`; the caller keeps `position + length` within the file size. */
  async view(position: number, length: number): Promise<Buffer | null> {
    const offset = position - this.windowStart;
    if (offset >= 0 && offset + length <= this.window.length)
      return this.window.subarray(offset, offset + length);
    const want = Math.min(this.size - position, Math.max(length, CHUNK_BYTES));
    const bytes = Buffer.allocUnsafe(want);
    const read = await readFully(this.file, bytes, 0, want, position);
    this.window = bytes.subarray(0, read);
    this.windowStart = position;
    return read >= length ? this.window.subarray(0, length) : null;
  }
}

/** Where a walk starts: after `count` messages already trusted, at byte `position`. */
export interface WalkStart {
  startOffset: bigint;
  count: number;
  position: number;
  /** Timestamp of the last trusted message (or of the previous segment's last). */
  timestamp: bigint;
}

/** What a walk found: index entries for the messages it accepted, and why it stopped early. */
export interface WalkResult {
  entries: Buffer;
  count: number;
  end: number;
  lastTimestamp: bigint;
  /** Null when the walk reached the end of the log. */
  stop: { position: number; reason: string } | null;
}

/**
 * Walks the log from `from` to `size`, checking each message: its header as every walk does
 * (`messageLength`: reserved field 0, lengths within limits), its bytes within the file, offset field
 * dense, timestamp not going back, checksum. Stops at the first failure. Reads through a window, not
 * `walkMessages`, so a log is never held in memory whole.
 */
export async function walkLog(file: FileHandle, size: number, from: WalkStart): Promise<WalkResult> {
  const reader = new WindowReader(file, size);
  const entries: Buffer[] = [];
  let block = Buffer.allocUnsafe(INDEX_ENTRY_BYTES * 4096);
  let inBlock = 0;
  let count = from.count;
  let position = from.position;
  let timestamp = from.timestamp;
  let stop: WalkResult['stop'] = null;
  while (position < size) {
    const reason = await checkMessage(reader, size, position, from.startOffset + BigInt(count), timestamp);
    if (typeof reason === 'string') {
      stop = { position, reason };
      break;
    }
    position += reason.length;
    timestamp = reason.timestamp;
    if (inBlock * INDEX_ENTRY_BYTES === block.length) {
      entries.push(block);
      block = Buffer.allocUnsafe(block.length);
      inBlock = 0;
    }
    writeEntry(block, inBlock++, count, position, timestamp);
    count++;
  }
  entries.push(block.subarray(0, inBlock * INDEX_ENTRY_BYTES));
  return {
    entries: Buffer.concat(entries),
    count: count - from.count,
    end: position,
    lastTimestamp: timestamp,
    stop,
  };
}

/** The message's length and timestamp, or why it is not a valid message. */
async function checkMessage(
  reader: WindowReader,
  size: number,
  position: number,
  expectedOffset: bigint,
  previousTimestamp: bigint,
): Promise<{ length: number; timestamp: bigint } | string> {
  if (size - position < MessageLayout.headerBytes) return `partial header (${size - position} bytes)`;
  const header = await reader.view(position, MessageLayout.headerBytes);
  if (!header) return 'log shorter than its size';
  const view = dataViewOf(header);
  const length = messageLength(view, 0, true);
  if (typeof length === 'string') return faultDetail(length, view, 0);
  if (length > size - position) return `partial message (${size - position} of ${length} bytes)`;
  if (position + length > MAX_POSITION) return 'message ends past the u32 position limit';
  const offset = header.readBigUInt64LE(MessageLayout.offset);
  if (offset !== expectedOffset) return `offset field ${offset}, expected ${expectedOffset}`;
  const timestamp = header.readBigUInt64LE(MessageLayout.timestamp);
  if (timestamp < previousTimestamp) return `timestamp ${timestamp} below the previous ${previousTimestamp}`;
  const message = await reader.view(position, length);
  if (!message) return 'log shorter than its size';
  if (messageChecksum(message) !== message.readBigUInt64LE(MessageLayout.checksum))
    return 'checksum mismatch';
  return { length, timestamp };
}
