import type { PolledMessages } from '../commands/messages/poll-messages.js';
import type { OutgoingMessage, PolledMessage } from '../messages/message-batch.js';
import { MessageRun } from '../messages/message-run.js';
import { messagesKeyBytes, Partitioning, PartitioningKind } from '../primitives/partitioning.js';
import { decodeUserHeaders, encodeUserHeaders, HeaderKind } from '../primitives/user-headers.js';
import type { HeaderEntry } from '../primitives/user-headers.js';
import { ProtocolError } from '../protocol-error.js';
import { JsonFields, lookup, readList } from './json-fields.js';

/*
 * Messages as Iggy's HTTP API carries them: payloads and header values in base64, ids as decimal
 * strings (u128), headers as `[{ key: { kind, value }, value: { kind, value } }]`. Both directions.
 */

const KIND_NAMES = Object.fromEntries(
  Object.entries(HeaderKind).map(([name, code]) => [code, name.toLowerCase()]),
);
const KIND_CODES = Object.fromEntries(
  Object.entries(HeaderKind).map(([name, code]) => [name.toLowerCase(), code]),
);

/** User headers as the API writes them: `[{ key: { kind, value: base64 }, value: { kind, value } }]`. */
export function headersJson(headers: readonly HeaderEntry[] | undefined): unknown[] {
  const block = encodeUserHeaders(headers);
  const out: unknown[] = [];
  let at = 0;
  const field = () => {
    const kind = block[at]!;
    const length = block.readUInt32LE(at + 1);
    const value = block.subarray(at + 5, at + 5 + length).toString('base64');
    at += 5 + length;
    return { kind: KIND_NAMES[kind], value };
  };
  while (at < block.length) out.push({ key: field(), value: field() });
  return out;
}

/** Rebuilds the wire block of JSON header entries and decodes it (which validates every value). */
function readHeaders(value: unknown, what: string): HeaderEntry[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return decodeUserHeaders(Buffer.from(value, 'base64'));
  const parts: Buffer[] = [];
  const field = (f: JsonFields) => {
    const code = lookup(KIND_CODES, f.string('kind').toLowerCase());
    if (code === undefined) throw new ProtocolError('InvalidValue', `${f.what}.kind: unknown header kind`);
    const bytes = Buffer.from(f.string('value'), 'base64');
    const head = Buffer.alloc(5);
    head[0] = code;
    head.writeUInt32LE(bytes.length, 1);
    parts.push(head, bytes);
  };
  for (const entry of readList(value, what, (e) => e)) {
    field(entry.object('key'));
    field(entry.object('value'));
  }
  return decodeUserHeaders(Buffer.concat(parts));
}

export function readPolledMessages(f: JsonFields): PolledMessages {
  const messages = readList(f.raw('messages'), `${f.what}.messages`, (m): PolledMessage => {
    const header = m.object('header');
    return {
      checksum: header.big('checksum'),
      id: header.big('id'),
      offset: header.big('offset'),
      timestamp: header.big('timestamp'),
      originTimestamp: header.big('origin_timestamp'),
      headers: readHeaders(m.raw('user_headers'), `${m.what}.user_headers`),
      payload: Buffer.from(m.string('payload'), 'base64'),
    };
  });
  return { partitionId: f.u32('partition_id'), currentOffset: f.big('current_offset'), messages };
}
export function polledMessagesJson(p: PolledMessages): Record<string, unknown> {
  const messages = p.messages instanceof MessageRun ? p.messages.decode() : p.messages;
  return {
    partition_id: p.partitionId,
    current_offset: p.currentOffset,
    count: messages.length,
    messages: messages.map((m: PolledMessage) => {
      const headers = encodeUserHeaders(m.headers);
      return {
        header: {
          checksum: m.checksum,
          id: m.id,
          offset: m.offset,
          timestamp: m.timestamp,
          origin_timestamp: m.originTimestamp,
          user_headers_length: headers.length,
          payload_length: m.payload.length,
          reserved: 0,
        },
        payload: m.payload.toString('base64'),
        user_headers: headersJson(m.headers),
      };
    }),
  };
}

export function partitioningJson(p: Partitioning): { kind: string; value: string } {
  switch (p.kind) {
    case PartitioningKind.Balanced:
      return { kind: 'balanced', value: '' };
    case PartitioningKind.PartitionId: {
      const value = Buffer.alloc(4);
      value.writeUInt32LE(p.partitionId);
      return { kind: 'partition_id', value: value.toString('base64') };
    }
    case PartitioningKind.MessagesKey:
      return { kind: 'messages_key', value: messagesKeyBytes(p.key).toString('base64') };
  }
}

function readPartitioning(f: JsonFields): Partitioning {
  const kind = f.string('kind');
  const value = f.has('value') ? Buffer.from(f.string('value'), 'base64') : Buffer.alloc(0);
  switch (kind) {
    case 'balanced':
      return Partitioning.balanced();
    case 'partition_id':
      if (value.length !== 4)
        throw new ProtocolError('InvalidValue', `${f.what}.value: 4 bytes for a partition id`);
      return Partitioning.partitionId(value.readUInt32LE(0));
    case 'messages_key':
      if (value.length === 0 || value.length > 255) {
        throw new ProtocolError('InvalidValue', `${f.what}.value: a key of 1..255 bytes`);
      }
      return Partitioning.messagesKey(value);
    default:
      throw new ProtocolError('InvalidValue', `${f.what}.kind: unknown partitioning '${kind}'`);
  }
}

export function outgoingMessageJson(m: OutgoingMessage): Record<string, unknown> {
  const json: Record<string, unknown> = {
    id: String(m.id ?? 0n),
    payload: Buffer.from(m.payload).toString('base64'),
  };
  if (m.headers && m.headers.length > 0) json.user_headers = headersJson(m.headers);
  return json;
}

/** A message id as the API takes it: a number, a decimal string, or a UUID (with or without dashes). */
function readMessageId(value: unknown, what: string): bigint {
  if (value === undefined || value === null) return 0n;
  if (typeof value === 'bigint' && value >= 0n) return value;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return BigInt(value);
  if (typeof value === 'string') {
    if (/^\d{1,39}$/.test(value)) return BigInt(value);
    const hex = value.replace(/-/g, '');
    if (/^[0-9a-fA-F]{32}$/.test(hex)) return BigInt(`0x${hex}`);
  }
  throw new ProtocolError('InvalidValue', `${what}: a decimal number or a UUID`);
}

/** The body of a send: `{ partitioning: { kind, value }, messages: [{ id, payload, user_headers }] }`. */
export function readSendMessagesBody(json: unknown): {
  partitioning: Partitioning;
  messages: OutgoingMessage[];
} {
  const f = JsonFields.of(json, 'send');
  const partitioning = readPartitioning(f.object('partitioning'));
  const messages = readList(f.raw('messages'), 'send.messages', (m): OutgoingMessage => {
    const id = readMessageId(m.raw('id'), `${m.what}.id`);
    if (id >= 1n << 128n) throw new ProtocolError('InvalidValue', `${m.what}.id: above u128`);
    return {
      id,
      payload: Buffer.from(m.string('payload'), 'base64'),
      headers: readHeaders(m.raw('user_headers'), `${m.what}.user_headers`),
    };
  });
  return { partitioning, messages };
}
