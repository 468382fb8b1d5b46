import { IggyErrorCode } from '../codes/error-codes.js';
import { Limits } from '../limits.js';
import { decodeUserHeaders, validateUserHeaders } from '../primitives/user-headers.js';
import { ProtocolError } from '../protocol-error.js';
import { bufferView } from './buffer-view.js';
import type { PolledMessage } from './message-batch.js';
import { IndexEntryLayout, MessageLayout } from './message-layout.js';

const H = MessageLayout.headerBytes;

/** The 64-byte header of one encoded message. */
export interface MessageHeader {
  checksum: bigint;
  id: bigint;
  offset: bigint;
  timestamp: bigint;
  originTimestamp: bigint;
  userHeadersLength: number;
  payloadLength: number;
}

/**
 * Bounds of the message starting at `pos` in `run`: checks that its header fits, that its payload
 * (≤ 64,000,000 bytes; ≥ 1 byte unless `allowEmpty`) and user headers (≤ 100,000 bytes) fit the
 * buffer, and that the reserved field is 0. Returns the message's end (exclusive).
 */
export function messageEndAt(run: Buffer, pos: number, context: string, allowEmpty = false): number {
  return endAt(viewOf(run), pos, context, allowEmpty);
}

function viewOf(bytes: Buffer): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function endAt(run: DataView, pos: number, context: string, allowEmpty: boolean): number {
  if (run.byteLength - pos < H) {
    throw new ProtocolError(
      'Truncated',
      `${context}: message at byte ${pos} needs a ${H}-byte header, ${run.byteLength - pos} left`,
      IggyErrorCode.InvalidMessagePayloadLength,
    );
  }
  const headersLength = run.getUint32(pos + MessageLayout.userHeadersLength, true);
  const payloadLength = run.getUint32(pos + MessageLayout.payloadLength, true);
  if (payloadLength === 0 && !allowEmpty) {
    throw new ProtocolError(
      'InvalidValue',
      `${context}: message at byte ${pos} has an empty payload`,
      IggyErrorCode.InvalidMessagePayloadLength,
    );
  }
  if (payloadLength > Limits.maxMessagePayloadBytes) {
    throw new ProtocolError(
      'TooLarge',
      `${context}: message at byte ${pos} has a ${payloadLength}-byte payload, max ${Limits.maxMessagePayloadBytes}`,
      IggyErrorCode.TooBigMessagePayload,
    );
  }
  if (headersLength > Limits.maxUserHeadersBytes) {
    throw new ProtocolError(
      'TooLarge',
      `${context}: message at byte ${pos} has ${headersLength} bytes of user headers, max ${Limits.maxUserHeadersBytes}`,
      IggyErrorCode.TooBigUserHeaders,
    );
  }
  if (
    run.getUint32(pos + MessageLayout.reserved, true) !== 0 ||
    run.getUint32(pos + MessageLayout.reserved + 4, true) !== 0
  ) {
    throw new ProtocolError(
      'InvalidValue',
      `${context}: message at byte ${pos} has a non-zero reserved field`,
      IggyErrorCode.InvalidReservedField,
    );
  }
  const end = pos + H + payloadLength + headersLength;
  if (end > run.byteLength) {
    throw new ProtocolError(
      'Truncated',
      `${context}: message at byte ${pos} claims ${end - pos} bytes, ${run.byteLength - pos} left`,
      IggyErrorCode.InvalidMessagePayloadLength,
    );
  }
  return end;
}

/** Options of `validateMessages`. */
export interface ValidateMessagesOptions {
  /** How many messages the run must hold; when absent, the run is walked to its end. */
  count?: number;
  /** A send-messages index block to check: offset 0, timestamp 0, position = the message's end. */
  index?: Buffer;
  /** Allow empty payloads (stored data from raw clients); sends require 1 byte at least. */
  allowEmpty?: boolean;
  /** What is validated, for error messages. */
  context?: string;
}

/**
 * Walks a run of encoded messages and checks everything a broker must before storing it: header,
 * payload and user-header lengths (never trusting one past the buffer), payload 1..64,000,000
 * bytes, reserved = 0, user headers well formed, the count and index block consistent, no trailing
 * bytes. Returns each message's end position within the run.
 */
export function validateMessages(run: Buffer, options: ValidateMessagesOptions = {}): number[] {
  const { count, index, allowEmpty = false, context = 'messages' } = options;
  if (index && count !== undefined && index.length !== count * IndexEntryLayout.bytes) {
    throw new ProtocolError(
      'LengthMismatch',
      `${context}: index block is ${index.length} bytes for ${count} messages`,
      IggyErrorCode.InvalidIndexesByteSize,
    );
  }
  const view = viewOf(run);
  const indexView = index && viewOf(index);
  const ends: number[] = [];
  let pos = 0;
  while (count === undefined ? pos < run.length : ends.length < count) {
    const i = ends.length;
    const end = endAt(view, pos, context, allowEmpty);
    const headersAt = pos + H + view.getUint32(pos + MessageLayout.payloadLength, true);
    if (headersAt < end) validateUserHeaders(run, headersAt, end);
    if (indexView) checkIndexEntry(indexView, i, end, context);
    ends.push(end);
    pos = end;
  }
  checkRunEnd(run, pos, ends.length, context);
  return ends;
}

/** Throws unless the walk of `count` messages ended at the end of `run`. */
function checkRunEnd(run: Buffer, pos: number, count: number, context: string): void {
  if (pos !== run.length) {
    throw new ProtocolError(
      'TrailingBytes',
      `${context}: ${run.length - pos} bytes follow the last of ${count} messages`,
      IggyErrorCode.InvalidMessagesSize,
    );
  }
}

function checkIndexEntry(index: DataView, i: number, end: number, context: string): void {
  const at = i * IndexEntryLayout.bytes;
  if (index.byteLength - at < IndexEntryLayout.bytes) {
    throw new ProtocolError(
      'Truncated',
      `${context}: no index entry for message ${i}`,
      IggyErrorCode.MissingIndex,
    );
  }
  const offset = index.getUint32(at + IndexEntryLayout.offset, true);
  if (offset !== 0) {
    throw new ProtocolError(
      'InvalidValue',
      `${context}: index ${i} has offset ${offset}, expected 0`,
      IggyErrorCode.NonZeroOffset,
    );
  }
  if (
    index.getUint32(at + IndexEntryLayout.timestamp, true) !== 0 ||
    index.getUint32(at + IndexEntryLayout.timestamp + 4, true) !== 0
  ) {
    throw new ProtocolError(
      'InvalidValue',
      `${context}: index ${i} has timestamp ${index.getBigUint64(at + IndexEntryLayout.timestamp, true)}, expected 0`,
      IggyErrorCode.NonZeroTimestamp,
    );
  }
  const position = index.getUint32(at + IndexEntryLayout.position, true);
  if (position !== end) {
    throw new ProtocolError(
      'LengthMismatch',
      `${context}: index ${i} says the message ends at ${position}, it ends at ${end}`,
      IggyErrorCode.InvalidMessagesSize,
    );
  }
}

/** Reads the header of the message at `at` (bounds-checked). */
export function readMessageHeader(run: Buffer, at: number): MessageHeader {
  if (at < 0 || run.length - at < H) {
    throw new ProtocolError(
      'Truncated',
      `message header at byte ${at} needs ${H} bytes, ${run.length - at} left`,
    );
  }
  const view = viewOf(run);
  return {
    checksum: view.getBigUint64(at + MessageLayout.checksum, true),
    id: readId(view, at),
    offset: view.getBigUint64(at + MessageLayout.offset, true),
    timestamp: view.getBigUint64(at + MessageLayout.timestamp, true),
    originTimestamp: view.getBigUint64(at + MessageLayout.originTimestamp, true),
    userHeadersLength: view.getUint32(at + MessageLayout.userHeadersLength, true),
    payloadLength: view.getUint32(at + MessageLayout.payloadLength, true),
  };
}

/** The u128 id of the message at `at` (DataView reads: several times faster than Buffer's bigint reads). */
function readId(view: DataView, at: number): bigint {
  const lo = view.getBigUint64(at + MessageLayout.id, true);
  if (
    view.getUint32(at + MessageLayout.id + 8, true) === 0 &&
    view.getUint32(at + MessageLayout.id + 12, true) === 0
  ) {
    return lo;
  }
  return (view.getBigUint64(at + MessageLayout.id + 8, true) << 64n) | lo;
}

/** One message of a run whose bounds are checked (`end` from `endAt`). */
function decodeMessage(run: Buffer, view: DataView, pos: number, end: number): PolledMessage {
  const payloadEnd = pos + H + view.getUint32(pos + MessageLayout.payloadLength, true);
  return {
    checksum: view.getBigUint64(pos + MessageLayout.checksum, true),
    id: readId(view, pos),
    offset: view.getBigUint64(pos + MessageLayout.offset, true),
    timestamp: view.getBigUint64(pos + MessageLayout.timestamp, true),
    originTimestamp: view.getBigUint64(pos + MessageLayout.originTimestamp, true),
    headers: payloadEnd === end ? [] : decodeUserHeaders(run, payloadEnd, end),
    payload: bufferView(run, pos + H, payloadEnd),
  };
}

/**
 * Decodes a run of messages (as a poll response carries them) into objects; payloads are views into
 * `run`. With `count`, the run must hold exactly that many. Empty payloads are accepted (the real
 * server stores what raw clients send); everything else is checked as in `validateMessages`.
 */
export function decodeMessages(run: Buffer, count?: number, context = 'messages'): PolledMessage[] {
  const view = viewOf(run);
  const out: PolledMessage[] = [];
  let pos = 0;
  while (count === undefined ? pos < run.length : out.length < count) {
    const end = endAt(view, pos, context, true);
    out.push(decodeMessage(run, view, pos, end));
    pos = end;
  }
  checkRunEnd(run, pos, out.length, context);
  return out;
}

/**
 * Decodes the messages of a run one at a time, as they are asked for (the run must be validated
 * first, e.g. by `MessageRun.validate`: a malformed one still throws `ProtocolError` when reached).
 */
export function* iterateMessages(
  run: Buffer,
  context = 'messages',
): Generator<PolledMessage, void, undefined> {
  const view = viewOf(run);
  for (let pos = 0; pos < run.length;) {
    const end = endAt(view, pos, context, true);
    yield decodeMessage(run, view, pos, end);
    pos = end;
  }
}

/** Each message's end (exclusive) in a run of messages, walked to its end (empty payloads allowed). */
export function messageEnds(run: Buffer, context = 'messages'): number[] {
  const view = viewOf(run);
  const ends: number[] = [];
  for (let pos = 0; pos < run.length;) {
    pos = endAt(view, pos, context, true);
    ends.push(pos);
  }
  return ends;
}
