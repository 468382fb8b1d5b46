import type { FileHandle } from 'node:fs/promises';
import { firstChecksumMismatch } from '../../protocol/messages/checksum.js';
import { dataViewOf } from '../../protocol/messages/buffer-view.js';
import { MessageLayout } from '../../protocol/messages/message-layout.js';
import { faultDetail, messageLength } from '../../protocol/messages/message-walk.js';
import { readFully } from './file-io.js';
import { INDEX_ENTRY_BYTES, writeEntry } from './index-entries.js';

/** How much of the log one read brings in (a message longer than this gets a window of its own). */
const WINDOW_BYTES = 4 * 1024 * 1024;
const MAX_POSITION = 0xffffffff;
const H = MessageLayout.headerBytes;

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
 * dense, timestamp not going back, checksum. Stops at the first failure. Reads through a window of
 * `windowBytes`, not `walkMessages`, so a log is never held in memory whole; a window's messages are
 * walked without awaiting and their checksums verified in one batch.
 */
export async function walkLog(
  file: FileHandle,
  size: number,
  from: WalkStart,
  windowBytes = WINDOW_BYTES,
): Promise<WalkResult> {
  const index = new IndexBuilder();
  const scan = new WindowScan();
  let buffer = Buffer.alloc(0);
  let count = from.count;
  let position = from.position;
  let timestamp = from.timestamp;
  let need = 0;
  let stop: WalkResult['stop'] = null;
  while (position < size) {
    const want = Math.min(size - position, Math.max(windowBytes, need));
    if (buffer.length < want) buffer = Buffer.allocUnsafe(want);
    const read = await readFully(file, buffer, 0, want, position);
    const window = buffer.subarray(0, read);
    scan.walk(window, { size, position, short: read < want }, from.startOffset + BigInt(count), timestamp);
    const bad = scan.count === 0 ? -1 : firstChecksumMismatch(window, scan.ends.subarray(0, scan.count));
    const accepted = bad === -1 ? scan.count : bad;
    for (let i = 0; i < accepted; i++) index.add(count++, position + scan.ends[i]!, scan.timestamps[i]!);
    if (accepted > 0) {
      position += scan.ends[accepted - 1]!;
      timestamp = scan.timestamps[accepted - 1]!;
    }
    const reason = bad === -1 ? scan.stop : 'checksum mismatch';
    if (reason !== null) {
      stop = { position, reason };
      break;
    }
    need = scan.need;
  }
  return { entries: index.done(), count: count - from.count, end: position, lastTimestamp: timestamp, stop };
}

/** Where a window lies in the log, and whether the file held less than asked (shorter than its size). */
interface WindowPlace {
  size: number;
  position: number;
  short: boolean;
}

/**
 * The messages that lie whole in one window, their headers checked: each one's end (relative to the
 * window) and timestamp; why the walk must stop (`stop`), or how many bytes the next window needs to
 * hold the message cut at its end (`need`, 0 when the window reached the end of the log).
 */
class WindowScan {
  ends = new Uint32Array(0);
  timestamps = new BigUint64Array(0);
  count = 0;
  stop: string | null = null;
  need = 0;

  walk(window: Buffer, place: WindowPlace, expectedOffset: bigint, previousTimestamp: bigint): void {
    const room = Math.ceil(window.length / H);
    if (this.ends.length < room) {
      this.ends = new Uint32Array(room);
      this.timestamps = new BigUint64Array(room);
    }
    this.count = 0;
    this.stop = null;
    this.need = 0;
    const view = dataViewOf(window);
    const { size, position } = place;
    let at = 0;
    let offset = expectedOffset;
    let timestamp = previousTimestamp;
    while (position + at < size) {
      const left = size - position - at;
      if (left < H) return this.halt(`partial header (${left} bytes)`);
      if (window.length - at < H) return this.cut(place, H);
      const length = messageLength(view, at, true);
      if (typeof length === 'string') return this.halt(faultDetail(length, view, at));
      if (length > left) return this.halt(`partial message (${left} of ${length} bytes)`);
      if (position + at + length > MAX_POSITION) return this.halt('message ends past the u32 position limit');
      const found = view.getBigUint64(at + MessageLayout.offset, true);
      if (found !== offset) return this.halt(`offset field ${found}, expected ${offset}`);
      const stamped = view.getBigUint64(at + MessageLayout.timestamp, true);
      if (stamped < timestamp) return this.halt(`timestamp ${stamped} below the previous ${timestamp}`);
      if (window.length - at < length) return this.cut(place, length);
      at += length;
      offset++;
      timestamp = stamped;
      this.ends[this.count] = at;
      this.timestamps[this.count++] = stamped;
    }
  }

  private halt(reason: string): void {
    this.stop = reason;
  }

  /** The next message (of `length` bytes) runs past the window: read on, unless the file ended early. */
  private cut(place: WindowPlace, length: number): void {
    if (place.short) this.stop = 'log shorter than its size';
    else this.need = length;
  }
}

/** Index entries, built in blocks of 4,096. */
class IndexBuilder {
  private readonly blocks: Buffer[] = [];
  private block = Buffer.allocUnsafe(INDEX_ENTRY_BYTES * 4096);
  private inBlock = 0;

  add(relativeOffset: number, end: number, timestamp: bigint): void {
    if (this.inBlock * INDEX_ENTRY_BYTES === this.block.length) {
      this.blocks.push(this.block);
      this.block = Buffer.allocUnsafe(this.block.length);
      this.inBlock = 0;
    }
    writeEntry(this.block, this.inBlock++, relativeOffset, end, timestamp);
  }

  done(): Buffer {
    this.blocks.push(this.block.subarray(0, this.inBlock * INDEX_ENTRY_BYTES));
    return Buffer.concat(this.blocks);
  }
}
