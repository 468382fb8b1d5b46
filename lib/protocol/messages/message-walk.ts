import { IggyErrorCode } from '../codes/error-codes.js';
import { Limits } from '../limits.js';
import { decodeUserHeaders, validateUserHeaders } from '../primitives/user-headers.js';
import { ProtocolError } from '../protocol-error.js';
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
  if (run.length - pos < H) {
    throw new ProtocolError(
      'Truncated',
      `${context}: message at byte ${pos} needs a ${H}-byte header, ${run.length - pos} left`,
      IggyErrorCode.InvalidMessagePayloadLength,
    );
  }
  const headersLength = run.readUInt32LE(pos + MessageLayout.userHeadersLength);
  const payloadLength = run.readUInt32LE(pos + MessageLayout.payloadLength);
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
    run.readUInt32LE(pos + MessageLayout.reserved) !== 0 ||
    run.readUInt32LE(pos + MessageLayout.reserved + 4) !== 0
  ) {
    throw new ProtocolError(
      'InvalidValue',
      `${context}: message at byte ${pos} has a non-zero reserved field`,
      IggyErrorCode.InvalidReservedField,
    );
  }
  const end = pos + H + payloadLength + headersLength;
  if (end > run.length) {
    throw new ProtocolError(
      'Truncated',
      `${context}: message at byte ${pos} claims ${end - pos} bytes, ${run.length - pos} left`,
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
  const ends: number[] = [];
  let pos = 0;
  while (count === undefined ? pos < run.length : ends.length < count) {
    const i = ends.length;
    const end = messageEndAt(run, pos, context, allowEmpty);
    validateUserHeaders(run, pos + H + run.readUInt32LE(pos + MessageLayout.payloadLength), end);
    if (index) checkIndexEntry(index, i, end, context);
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

function checkIndexEntry(index: Buffer, i: number, end: number, context: string): void {
  const at = i * IndexEntryLayout.bytes;
  if (index.length - at < IndexEntryLayout.bytes) {
    throw new ProtocolError(
      'Truncated',
      `${context}: no index entry for message ${i}`,
      IggyErrorCode.MissingIndex,
    );
  }
  const offset = index.readUInt32LE(at + IndexEntryLayout.offset);
  if (offset !== 0) {
    throw new ProtocolError(
      'InvalidValue',
      `${context}: index ${i} has offset ${offset}, expected 0`,
      IggyErrorCode.NonZeroOffset,
    );
  }
  const ts = index.readBigUInt64LE(at + IndexEntryLayout.timestamp);
  if (ts !== 0n) {
    throw new ProtocolError(
      'InvalidValue',
      `${context}: index ${i} has timestamp ${ts}, expected 0`,
      IggyErrorCode.NonZeroTimestamp,
    );
  }
  const position = index.readUInt32LE(at + IndexEntryLayout.position);
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
  const lo = run.readBigUInt64LE(at + MessageLayout.id);
  const hi = run.readBigUInt64LE(at + MessageLayout.id + 8);
  return {
    checksum: run.readBigUInt64LE(at + MessageLayout.checksum),
    id: hi === 0n ? lo : (hi << 64n) | lo,
    offset: run.readBigUInt64LE(at + MessageLayout.offset),
    timestamp: run.readBigUInt64LE(at + MessageLayout.timestamp),
    originTimestamp: run.readBigUInt64LE(at + MessageLayout.originTimestamp),
    userHeadersLength: run.readUInt32LE(at + MessageLayout.userHeadersLength),
    payloadLength: run.readUInt32LE(at + MessageLayout.payloadLength),
  };
}

/**
 * Decodes a run of messages (as a poll response carries them) into objects; payloads are views into
 * `run`. With `count`, the run must hold exactly that many. Empty payloads are accepted (the real
 * server stores what raw clients send); everything else is checked as in `validateMessages`.
 */
export function decodeMessages(run: Buffer, count?: number, context = 'messages'): PolledMessage[] {
  const out: PolledMessage[] = [];
  let pos = 0;
  while (count === undefined ? pos < run.length : out.length < count) {
    const end = messageEndAt(run, pos, context, true);
    const h = readMessageHeader(run, pos);
    const payloadEnd = pos + H + h.payloadLength;
    out.push({
      checksum: h.checksum,
      id: h.id,
      offset: h.offset,
      timestamp: h.timestamp,
      originTimestamp: h.originTimestamp,
      headers: h.userHeadersLength === 0 ? [] : decodeUserHeaders(run, payloadEnd, end),
      payload: run.subarray(pos + H, payloadEnd),
    });
    pos = end;
  }
  checkRunEnd(run, pos, out.length, context);
  return out;
}
