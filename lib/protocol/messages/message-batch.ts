import { IggyErrorCode } from '../codes/error-codes.js';
import { Limits } from '../limits.js';
import {
  userHeadersSize,
  validateUserHeaders,
  writeUserHeaders,
  type HeaderEntry,
  type UserHeaders,
} from '../primitives/user-headers.js';
import { ProtocolError } from '../protocol-error.js';
import { nowMicros } from './clock.js';
import { IndexEntryLayout, MessageLayout } from './message-layout.js';

/** A message to send. */
export interface OutgoingMessage {
  /** u128; 0 (the default) lets the server assign a random id. */
  id?: bigint;
  /** 1..64,000,000 bytes. */
  payload: Uint8Array;
  headers?: readonly HeaderEntry[];
  /**
   * The user headers already encoded (`encodeUserHeaders`, `encodeStringHeaders`): checked, then
   * copied as they are; `headers` is ignored when this is set.
   */
  encodedHeaders?: Buffer;
  /** µs since the epoch (the server's and the Rust SDK's unit); defaults to now. */
  originTimestamp?: bigint;
}

/** A message as stored and polled: its 64-byte header decoded, payload and headers after it. */
export interface PolledMessage {
  checksum: bigint;
  id: bigint;
  offset: bigint;
  /** µs, stamped by the server on append. */
  timestamp: bigint;
  /** Set by the producer: µs from this library and the Rust SDK, ms from the official Node SDK. */
  originTimestamp: bigint;
  headers: UserHeaders;
  /** A view into the received buffer (no copy). */
  payload: Buffer;
}

const MAX_U64 = (1n << 64n) - 1n;
const MAX_U128 = (1n << 128n) - 1n;
const L = MessageLayout;
const H = MessageLayout.headerBytes;

/** Sizes measured (and validated) before a batch is written. */
export interface MessagesMeasure {
  /** Bytes of all messages back to back. */
  runBytes: number;
  /** Encoded user-headers size of each message. */
  headerBytes: Uint32Array;
}

function checkU(v: bigint, max: bigint, what: string, i: number): void {
  if (typeof v !== 'bigint' || v < 0n || v > max) {
    throw new ProtocolError('InvalidValue', `message ${i}: ${what} out of range: ${String(v)}`);
  }
}

function checkPayload(payload: Uint8Array, i: number): void {
  // Not `instanceof`: it is slow across realms (Jest's vm contexts) and this runs per message.
  if (typeof payload !== 'object' || payload === null || typeof payload.length !== 'number') {
    throw new ProtocolError(
      'InvalidValue',
      `message ${i}: payload must be bytes`,
      IggyErrorCode.InvalidMessagePayloadLength,
    );
  }
  if (payload.length === 0) {
    throw new ProtocolError(
      'InvalidValue',
      `message ${i}: payload is empty`,
      IggyErrorCode.InvalidMessagePayloadLength,
    );
  }
  if (payload.length > Limits.maxMessagePayloadBytes) {
    throw new ProtocolError(
      'TooLarge',
      `message ${i}: payload is ${payload.length} bytes, max ${Limits.maxMessagePayloadBytes}`,
      IggyErrorCode.TooBigMessagePayload,
    );
  }
}

/**
 * Validates one outgoing message (message `i` of its batch, for error messages) and returns the size of
 * its encoded user headers; the whole message takes `MessageLayout.headerBytes + payload + that`.
 */
export function measureMessage(m: OutgoingMessage, i = 0): number {
  checkPayload(m.payload, i);
  if (m.id !== undefined) checkU(m.id, MAX_U128, 'id', i);
  if (m.originTimestamp !== undefined) checkU(m.originTimestamp, MAX_U64, 'origin timestamp', i);
  if (m.encodedHeaders !== undefined) return checkEncodedHeaders(m.encodedHeaders, i);
  return m.headers && m.headers.length > 0 ? userHeadersSize(m.headers) : 0;
}

function checkEncodedHeaders(headers: Buffer, i: number): number {
  if (headers.length > Limits.maxUserHeadersBytes) {
    throw new ProtocolError(
      'TooLarge',
      `message ${i}: user headers are ${headers.length} bytes, max ${Limits.maxUserHeadersBytes}`,
      IggyErrorCode.TooBigUserHeaders,
    );
  }
  validateUserHeaders(headers);
  return headers.length;
}

/** Validates outgoing messages and measures their encoded size. */
export function measureMessages(messages: readonly OutgoingMessage[]): MessagesMeasure {
  const headerBytes = new Uint32Array(messages.length);
  let runBytes = 0;
  for (let i = 0; i < messages.length; i++) {
    const hb = measureMessage(messages[i]!, i);
    headerBytes[i] = hb;
    runBytes += H + messages[i]!.payload.length + hb;
  }
  return { runBytes, headerBytes };
}

/** Writes a u128 little-endian. */
export function writeU128LE(buf: Buffer, at: number, v: bigint): void {
  if (v <= MAX_U64) {
    buf.writeBigUInt64LE(v, at);
    buf.writeBigUInt64LE(0n, at + 8);
  } else {
    buf.writeBigUInt64LE(v & MAX_U64, at);
    buf.writeBigUInt64LE(v >> 64n, at + 8);
  }
}

/**
 * Writes measured messages into `buf`: the messages back to back from `runAt`, and, when `indexAt`
 * is not -1, one 16-byte index entry per message at `indexAt` (offset 0, cumulative end position
 * within the run, timestamp 0), as a send-messages request carries them. Checksum, offset and
 * timestamp are written as 0: the server stamps them.
 */
export function writeMessages(
  buf: Buffer,
  runAt: number,
  indexAt: number,
  messages: readonly OutgoingMessage[],
  measure: MessagesMeasure,
  defaultOriginTimestamp: bigint,
): void {
  // Hot loop: DataView u32 stores (inlined by V8; Buffer#write* and bigint writes are several times slower).
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let tsValue = defaultOriginTimestamp;
  let tsLo = Number(tsValue & 0xffffffffn);
  let tsHi = Number(tsValue >> 32n);
  let pos = runAt;
  let idx = indexAt;
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i]!;
    const payload = m.payload;
    const hb = measure.headerBytes[i]!;
    const id = m.id ?? 0n;
    const ts = m.originTimestamp ?? defaultOriginTimestamp;
    if (ts !== tsValue) {
      tsValue = ts;
      tsLo = Number(ts & 0xffffffffn);
      tsHi = Number(ts >> 32n);
    }
    dv.setUint32(pos + L.checksum, 0, true);
    dv.setUint32(pos + L.checksum + 4, 0, true);
    if (id <= 0xffffffffn) {
      dv.setUint32(pos + L.id, Number(id), true);
      dv.setUint32(pos + L.id + 4, 0, true);
      dv.setUint32(pos + L.id + 8, 0, true);
      dv.setUint32(pos + L.id + 12, 0, true);
    } else {
      dv.setUint32(pos + L.id, Number(id & 0xffffffffn), true);
      dv.setUint32(pos + L.id + 4, Number((id >> 32n) & 0xffffffffn), true);
      dv.setUint32(pos + L.id + 8, Number((id >> 64n) & 0xffffffffn), true);
      dv.setUint32(pos + L.id + 12, Number(id >> 96n), true);
    }
    dv.setUint32(pos + L.offset, 0, true);
    dv.setUint32(pos + L.offset + 4, 0, true);
    dv.setUint32(pos + L.timestamp, 0, true);
    dv.setUint32(pos + L.timestamp + 4, 0, true);
    dv.setUint32(pos + L.originTimestamp, tsLo, true);
    dv.setUint32(pos + L.originTimestamp + 4, tsHi, true);
    dv.setUint32(pos + L.userHeadersLength, hb, true);
    dv.setUint32(pos + L.payloadLength, payload.length, true);
    dv.setUint32(pos + L.reserved, 0, true);
    dv.setUint32(pos + L.reserved + 4, 0, true);
    buf.set(payload, pos + H);
    pos += H + payload.length;
    if (hb > 0 && m.encodedHeaders !== undefined) {
      buf.set(m.encodedHeaders, pos);
      pos += hb;
    } else if (hb > 0) pos = writeUserHeaders(buf, pos, m.headers);
    if (idx !== -1) {
      dv.setUint32(idx + IndexEntryLayout.offset, 0, true);
      dv.setUint32(idx + IndexEntryLayout.position, pos - runAt, true);
      dv.setUint32(idx + IndexEntryLayout.timestamp, 0, true);
      dv.setUint32(idx + IndexEntryLayout.timestamp + 4, 0, true);
      idx += IndexEntryLayout.bytes;
    }
  }
}

/** Encodes outgoing messages back to back (no index block). `now` is the default origin timestamp (µs). */
export function encodeMessages(messages: readonly OutgoingMessage[], now: bigint = nowMicros()): Buffer {
  const measure = measureMessages(messages);
  const buf = Buffer.allocUnsafe(measure.runBytes);
  writeMessages(buf, 0, -1, messages, measure, now);
  return buf;
}

/**
 * Encodes stored messages (all header fields as given, e.g. to build a poll response from objects).
 * Payloads may be empty here: the server stores what raw clients send.
 */
export function encodePolledMessages(messages: readonly PolledMessage[]): Buffer {
  const headerBytes = messages.map((m) => userHeadersSize(m.headers));
  let size = 0;
  messages.forEach((m, i) => {
    if (m.payload.length > Limits.maxMessagePayloadBytes) checkPayload(m.payload, i);
    checkU(m.checksum, MAX_U64, 'checksum', i);
    checkU(m.id, MAX_U128, 'id', i);
    checkU(m.offset, MAX_U64, 'offset', i);
    checkU(m.timestamp, MAX_U64, 'timestamp', i);
    checkU(m.originTimestamp, MAX_U64, 'origin timestamp', i);
    size += H + m.payload.length + headerBytes[i]!;
  });
  const buf = Buffer.allocUnsafe(size);
  let pos = 0;
  messages.forEach((m, i) => {
    buf.writeBigUInt64LE(m.checksum, pos + MessageLayout.checksum);
    writeU128LE(buf, pos + MessageLayout.id, m.id);
    buf.writeBigUInt64LE(m.offset, pos + MessageLayout.offset);
    buf.writeBigUInt64LE(m.timestamp, pos + MessageLayout.timestamp);
    buf.writeBigUInt64LE(m.originTimestamp, pos + MessageLayout.originTimestamp);
    buf.writeUInt32LE(headerBytes[i]!, pos + MessageLayout.userHeadersLength);
    buf.writeUInt32LE(m.payload.length, pos + MessageLayout.payloadLength);
    buf.writeBigUInt64LE(0n, pos + MessageLayout.reserved);
    buf.set(m.payload, pos + H);
    pos = writeUserHeaders(buf, pos + H + m.payload.length, m.headers);
  });
  return buf;
}
