import { Limits } from '../limits.js';
import { dataViewOf } from './buffer-view.js';
import { MessageLayout } from './message-layout.js';

const H = MessageLayout.headerBytes;

/** What can be wrong with a run of encoded messages. Each layer maps it to its own error (`FaultMapper`). */
export type MessageFaultKind =
  /** The run ends where one of the `count` messages it should hold would start. */
  | 'MissingMessage'
  /** Fewer bytes are left than a message's 64-byte header. */
  | 'TruncatedHeader'
  | 'NonZeroReserved'
  /** A payload of 0 bytes where sends require 1 at least. */
  | 'EmptyPayload'
  /** A payload over 64,000,000 bytes. */
  | 'PayloadTooLarge'
  /** User headers over 100,000 bytes. */
  | 'UserHeadersTooLarge'
  /** The header's lengths reach past the end of the run. */
  | 'TruncatedMessage'
  /** Bytes follow the last of the `count` messages. */
  | 'TrailingBytes';

/** The first fault a walk found. */
export interface MessageFault {
  readonly kind: MessageFaultKind;
  /** Index of the message concerned (for TrailingBytes: how many messages came before). */
  readonly index: number;
  /** Byte position of that message within the run. */
  readonly position: number;
  /** What is wrong, where, with the numbers: the text of the error a mapper builds. */
  readonly detail: string;
}

/** Turns a fault into the error its layer throws (ProtocolError, BrokerError with the server's code, StorageError). */
export type FaultMapper = (fault: MessageFault) => Error;

/** Options of `walkMessages`. */
export interface WalkOptions {
  /** How many messages the run must hold; when absent, the run is walked to its end. */
  count?: number;
  /** Allow empty payloads (stored data from raw clients); sends require 1 byte at least. */
  allowEmpty?: boolean;
}

/**
 * The only walk over the message layout: checks every message of `run` (header within the run, reserved
 * field 0, payload 1..64,000,000 bytes, user headers ≤ 100,000 bytes, lengths within the run) and that the
 * messages fill the run exactly. Returns each message's end (exclusive); throws `fail(fault)` at the first
 * fault. Never reads past the run, and allocates at most one u32 per 64 bytes of it whatever `count` says.
 */
export function walkMessages(run: Buffer, options: WalkOptions, fail: FaultMapper): Uint32Array {
  const { count, allowEmpty = false } = options;
  const view = dataViewOf(run);
  const size = run.length;
  const room = Math.floor(size / H);
  const ends = new Uint32Array(count === undefined ? room : Math.min(count, room));
  let n = 0;
  let pos = 0;
  while (count === undefined ? pos < size : n < count) {
    const left = size - pos;
    const length =
      left >= H ? messageLength(view, pos, allowEmpty) : left === 0 ? 'MissingMessage' : 'TruncatedHeader';
    if (typeof length === 'string') throw fail(faultAt(length, view, n, pos, count));
    if (length > left) throw fail(faultAt('TruncatedMessage', view, n, pos, count));
    pos += length;
    ends[n++] = pos;
  }
  if (pos !== size) throw fail(faultAt('TrailingBytes', view, n, pos, count));
  return n === ends.length ? ends : ends.subarray(0, n);
}

/**
 * The total length of the message whose 64-byte header (present) starts at `pos`, from the header alone,
 * or why the header is invalid (reserved field, then payload, then user-header length; the run's bounds are
 * the caller's).
 */
export function messageLength(view: DataView, pos: number, allowEmpty: boolean): number | MessageFaultKind {
  if (
    view.getUint32(pos + MessageLayout.reserved, true) !== 0 ||
    view.getUint32(pos + MessageLayout.reserved + 4, true) !== 0
  ) {
    return 'NonZeroReserved';
  }
  const payload = view.getUint32(pos + MessageLayout.payloadLength, true);
  const headers = view.getUint32(pos + MessageLayout.userHeadersLength, true);
  if (payload === 0 && !allowEmpty) return 'EmptyPayload';
  if (payload > Limits.maxMessagePayloadBytes) return 'PayloadTooLarge';
  if (headers > Limits.maxUserHeadersBytes) return 'UserHeadersTooLarge';
  return H + payload + headers;
}

/** What is wrong with the message at `pos` of `view`, in words, with the numbers read from its header. */
export function faultDetail(kind: MessageFaultKind, view: DataView, pos: number): string {
  const left = view.byteLength - pos;
  const field = (at: number): number => view.getUint32(pos + at, true);
  switch (kind) {
    case 'MissingMessage':
      return 'the run ends here';
    case 'TruncatedHeader':
      return `${left} bytes left, a header needs ${H}`;
    case 'NonZeroReserved':
      return `reserved field is ${view.getBigUint64(pos + MessageLayout.reserved, true)}, expected 0`;
    case 'EmptyPayload':
      return 'empty payload';
    case 'PayloadTooLarge':
      return `payload of ${field(MessageLayout.payloadLength)} B, max ${Limits.maxMessagePayloadBytes} B`;
    case 'UserHeadersTooLarge':
      return `user headers of ${field(MessageLayout.userHeadersLength)} B, max ${Limits.maxUserHeadersBytes} B`;
    case 'TruncatedMessage': {
      const length = H + field(MessageLayout.payloadLength) + field(MessageLayout.userHeadersLength);
      return `${length} B long, ${left} B left`;
    }
    case 'TrailingBytes':
      return `${left} bytes follow the last message`;
  }
}

function faultAt(
  kind: MessageFaultKind,
  view: DataView,
  index: number,
  position: number,
  count: number | undefined,
): MessageFault {
  const of = count === undefined ? '' : ` of ${count}`;
  const where =
    kind === 'TrailingBytes' ? `${index}${of} messages` : `message ${index}${of} at byte ${position}`;
  return { kind, index, position, detail: `${where}: ${faultDetail(kind, view, position)}` };
}
