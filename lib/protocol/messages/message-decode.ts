import { IggyErrorCode } from '../codes/error-codes.js';
import { decodeUserHeaders, validateUserHeaders } from '../primitives/user-headers.js';
import { ProtocolError, type ProtocolErrorKind } from '../protocol-error.js';
import { bufferView, dataViewOf } from './buffer-view.js';
import type { PolledMessage } from './message-batch.js';
import { IndexEntryLayout, MessageLayout } from './message-layout.js';
import { walkMessages, type FaultMapper, type MessageFaultKind } from './message-walk.js';

const H = MessageLayout.headerBytes;

const protocolErrorOf: Record<MessageFaultKind, [ProtocolErrorKind, number]> = {
  MissingMessage: ['Truncated', IggyErrorCode.InvalidMessagePayloadLength],
  TruncatedHeader: ['Truncated', IggyErrorCode.InvalidMessagePayloadLength],
  NonZeroReserved: ['InvalidValue', IggyErrorCode.InvalidReservedField],
  EmptyPayload: ['InvalidValue', IggyErrorCode.InvalidMessagePayloadLength],
  PayloadTooLarge: ['TooLarge', IggyErrorCode.TooBigMessagePayload],
  UserHeadersTooLarge: ['TooLarge', IggyErrorCode.TooBigUserHeaders],
  TruncatedMessage: ['Truncated', IggyErrorCode.InvalidMessagePayloadLength],
  TrailingBytes: ['TrailingBytes', IggyErrorCode.InvalidMessagesSize],
};

/** The protocol's error mapper: a `ProtocolError` whose `code` is the server's answer to such bytes. */
export function protocolFault(context: string): FaultMapper {
  return (fault) => {
    const [kind, code] = protocolErrorOf[fault.kind];
    return new ProtocolError(kind, `${context}: ${fault.detail}`, code);
  };
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
 * Checks a run of encoded messages as received over the wire (`walkMessages`), then each one's user
 * headers and, when given, the send-messages index block. Returns each message's end within the run.
 */
export function validateMessages(run: Buffer, options: ValidateMessagesOptions = {}): Uint32Array {
  const { count, index, allowEmpty = false, context = 'messages' } = options;
  if (index && count !== undefined && index.length !== count * IndexEntryLayout.bytes) {
    throw new ProtocolError(
      'LengthMismatch',
      `${context}: index block is ${index.length} bytes for ${count} messages`,
      IggyErrorCode.InvalidIndexesByteSize,
    );
  }
  const ends = walkMessages(run, { count, allowEmpty }, protocolFault(context));
  const view = dataViewOf(run);
  const indexView = index && dataViewOf(index);
  let pos = 0;
  for (let i = 0; i < ends.length; i++) {
    const end = ends[i]!;
    const headersAt = pos + H + view.getUint32(pos + MessageLayout.payloadLength, true);
    if (headersAt < end) validateUserHeaders(run, headersAt, end);
    if (indexView) checkIndexEntry(indexView, i, end, context);
    pos = end;
  }
  return ends;
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

/**
 * Decodes a run of messages (as a poll response carries them) into objects; payloads are views into
 * `run`. With `count`, the run must hold exactly that many. Empty payloads are accepted (the real
 * server stores what raw clients send).
 */
export function decodeMessages(run: Buffer, count?: number, context = 'messages'): PolledMessage[] {
  return decodeWalked(run, walkMessages(run, { count, allowEmpty: true }, protocolFault(context)));
}

/** The messages of a walked run (message i ends at `ends[i]`) as objects. */
export function decodeWalked(run: Buffer, ends: Uint32Array): PolledMessage[] {
  return mapWalked(run, ends, decodeMessage);
}

/**
 * What `make` builds of each message of a walked run: it is given the run, a view of it, and where the
 * message starts and ends (its payload ends at `payloadEnd(view, at)`, its user headers fill the rest).
 */
export function mapWalked<T>(
  run: Buffer,
  ends: Uint32Array,
  make: (run: Buffer, view: DataView, at: number, end: number) => T,
): T[] {
  const view = dataViewOf(run);
  const out = new Array<T>(ends.length);
  let pos = 0;
  for (let i = 0; i < ends.length; i++) {
    out[i] = make(run, view, pos, ends[i]!);
    pos = ends[i]!;
  }
  return out;
}

/** Where the payload of the message at `at` ends (its user headers follow, up to the message's end). */
export function payloadEnd(view: DataView, at: number): number {
  return at + H + view.getUint32(at + MessageLayout.payloadLength, true);
}

/** The messages of a walked run decoded one at a time, as they are asked for. */
export function* iterateWalked(run: Buffer, ends: Uint32Array): Generator<PolledMessage, void, undefined> {
  const view = dataViewOf(run);
  let pos = 0;
  for (const end of ends) {
    yield decodeMessage(run, view, pos, end);
    pos = end;
  }
}

function decodeMessage(run: Buffer, view: DataView, pos: number, end: number): PolledMessage {
  const headersAt = payloadEnd(view, pos);
  return {
    checksum: view.getBigUint64(pos + MessageLayout.checksum, true),
    id: readId(view, pos),
    offset: view.getBigUint64(pos + MessageLayout.offset, true),
    timestamp: view.getBigUint64(pos + MessageLayout.timestamp, true),
    originTimestamp: view.getBigUint64(pos + MessageLayout.originTimestamp, true),
    headers: headersAt === end ? [] : decodeUserHeaders(run, headersAt, end),
    payload: bufferView(run, pos + H, headersAt),
  };
}

/** The u128 id of the message at `at` (DataView reads: several times faster than Buffer's bigint reads). */
export function readId(view: DataView, at: number): bigint {
  const lo = view.getBigUint64(at + MessageLayout.id, true);
  if (
    view.getUint32(at + MessageLayout.id + 8, true) === 0 &&
    view.getUint32(at + MessageLayout.id + 12, true) === 0
  ) {
    return lo;
  }
  return (view.getBigUint64(at + MessageLayout.id + 8, true) << 64n) | lo;
}
