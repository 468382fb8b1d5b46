import type { ReceivedMessage } from '../connectors/message-subscriber.js';
import { messageIdToUuid } from '../protocol/messages/message-id.js';
import {
  encodeStringHeaders,
  Header,
  HeaderKind,
  type HeaderEntry,
  type HeaderField,
  type UserHeaders,
} from '../protocol/primitives/user-headers.js';
import type { EventEnvelope } from './event-envelope.js';
import { EnvelopeValidationError, type MessageLocation } from './event-errors.js';
import {
  ENVELOPE_HEADER_PREFIX,
  checkText,
  checkTimestamp,
  checkUuid,
  checkVersion,
} from './envelope-validation.js';
import { validateTenantId } from './tenant-partitioner.js';

/** The message header names that carry an envelope's metadata; every value is a string header. */
export const EnvelopeHeader = {
  eventId: 'event_id',
  eventType: 'event_type',
  eventVersion: 'event_version',
  tenantId: 'tenant_id',
  actorId: 'actor_id',
  occurredAt: 'occurred_at',
  correlationId: 'correlation_id',
  causationId: 'causation_id',
  contentType: 'content_type',
} as const;

/** An envelope without its payload, as the headers tell it. */
export type EventMeta = Omit<EventEnvelope, 'payload'> & {
  /** The payload's content type; `undefined` when the message carries none. */
  contentType: string | undefined;
};

/** The user headers of an envelope (its own headers go under `h.<name>`); all values are strings. */
export function envelopeHeaders(envelope: EventEnvelope, contentType: string): UserHeaders {
  const pairs = envelopeHeaderPairs(envelope, contentType);
  const headers: UserHeaders = [];
  for (let i = 0; i < pairs.length; i += 2) {
    const value = pairs[i + 1];
    if (value !== undefined) headers.push({ key: Header.string(pairs[i]!), value: Header.string(value) });
  }
  return headers;
}

/** `envelopeHeaders` straight into their wire bytes, with no header objects (what a publish carries). */
export function encodeEnvelopeHeaders(envelope: EventEnvelope, contentType: string): Buffer {
  return encodeStringHeaders(envelopeHeaderPairs(envelope, contentType));
}

/** The envelope's headers as `[name, value, ...]`; an optional field left out is an `undefined` value. */
function envelopeHeaderPairs(envelope: EventEnvelope, contentType: string): (string | undefined)[] {
  const pairs: (string | undefined)[] = [
    EnvelopeHeader.eventId,
    envelope.id,
    EnvelopeHeader.eventType,
    envelope.type,
    EnvelopeHeader.eventVersion,
    String(envelope.version),
    EnvelopeHeader.tenantId,
    envelope.tenantId,
    EnvelopeHeader.actorId,
    envelope.actorId,
    EnvelopeHeader.occurredAt,
    envelope.occurredAt,
    EnvelopeHeader.correlationId,
    envelope.correlationId,
    EnvelopeHeader.causationId,
    envelope.causationId,
    EnvelopeHeader.contentType,
    contentType,
  ];
  for (const name in envelope.headers) {
    if (Object.hasOwn(envelope.headers, name))
      pairs.push(ENVELOPE_HEADER_PREFIX + name, envelope.headers[name]);
  }
  return pairs;
}

/** Where a received message sits, for error messages. */
export function locationOf(received: ReceivedMessage): MessageLocation {
  return {
    stream: received.stream,
    topic: received.topic,
    partition: received.partition,
    offset: received.offset,
  };
}

/**
 * The envelope's metadata from the message headers alone (the payload is not decoded): enough to route
 * or filter by type, tenant or id. The id comes from `event_id`, or from the message id when that header
 * is absent. Throws `EnvelopeValidationError` (with the message's location) on a missing or bad header.
 * One walk over the headers (a later duplicate wins, as in the server's map); the headers that are not
 * the envelope's (neither its fields nor `h.<name>`) are appended to `rest` when given, so a caller
 * reading other headers (a request's `reply_to`...) need not walk them all again.
 */
export function readEventMeta(received: ReceivedMessage, rest?: HeaderEntry[]): EventMeta {
  try {
    return readMeta(received, rest);
  } catch (err) {
    if (err instanceof EnvelopeValidationError && err.partition === undefined) {
      throw new EnvelopeValidationError(err.field, err.reason, locationOf(received));
    }
    throw err;
  }
}

function readMeta(received: ReceivedMessage, rest: HeaderEntry[] | undefined): EventMeta {
  let id: HeaderField | undefined;
  let tenant: HeaderField | undefined;
  let type: HeaderField | undefined;
  let version: HeaderField | undefined;
  let occurredAt: HeaderField | undefined;
  let actor: HeaderField | undefined;
  let correlation: HeaderField | undefined;
  let causation: HeaderField | undefined;
  let contentType: HeaderField | undefined;
  let own: HeaderEntry[] | undefined;
  const headers = received.headers;
  for (let i = 0; i < headers.length; i++) {
    const entry = headers[i]!;
    if (entry.key.kind !== HeaderKind.String) {
      rest?.push(entry);
      continue;
    }
    switch (entry.key.value) {
      case EnvelopeHeader.eventId:
        id = entry.value;
        break;
      case EnvelopeHeader.tenantId:
        tenant = entry.value;
        break;
      case EnvelopeHeader.eventType:
        type = entry.value;
        break;
      case EnvelopeHeader.eventVersion:
        version = entry.value;
        break;
      case EnvelopeHeader.occurredAt:
        occurredAt = entry.value;
        break;
      case EnvelopeHeader.actorId:
        actor = entry.value;
        break;
      case EnvelopeHeader.correlationId:
        correlation = entry.value;
        break;
      case EnvelopeHeader.causationId:
        causation = entry.value;
        break;
      case EnvelopeHeader.contentType:
        contentType = entry.value;
        break;
      default:
        if (entry.key.value.startsWith(ENVELOPE_HEADER_PREFIX)) (own ??= []).push(entry);
        else rest?.push(entry);
    }
  }
  const idHeader = text(EnvelopeHeader.eventId, id);
  const tenantId = required(EnvelopeHeader.tenantId, tenant);
  validateTenantId(tenantId, `header ${EnvelopeHeader.tenantId}`);
  const meta: EventMeta = {
    id:
      idHeader === undefined
        ? messageIdToUuid(received.id)
        : checkUuid(idHeader, `header ${EnvelopeHeader.eventId}`),
    tenantId,
    type: checkText(required(EnvelopeHeader.eventType, type), `header ${EnvelopeHeader.eventType}`),
    version: readVersion(version),
    occurredAt: checkTimestamp(
      required(EnvelopeHeader.occurredAt, occurredAt),
      `header ${EnvelopeHeader.occurredAt}`,
    ),
    headers: {},
    contentType: text(EnvelopeHeader.contentType, contentType),
  };
  const actorId = text(EnvelopeHeader.actorId, actor);
  const correlationId = text(EnvelopeHeader.correlationId, correlation);
  const causationId = text(EnvelopeHeader.causationId, causation);
  if (actorId !== undefined) meta.actorId = actorId;
  if (correlationId !== undefined) meta.correlationId = correlationId;
  if (causationId !== undefined) meta.causationId = causationId;
  if (own) {
    // later duplicates win, as in the server's map
    for (const { key, value } of own) {
      const name = (key.value as string).slice(ENVELOPE_HEADER_PREFIX.length);
      setOwn(meta.headers, name, stringValue(key.value as string, value));
    }
  }
  return meta;
}

function text(name: string, field: HeaderField | undefined): string | undefined {
  return field === undefined ? undefined : stringValue(name, field);
}

function required(name: string, field: HeaderField | undefined): string {
  if (field === undefined) throw new EnvelopeValidationError(`header ${name}`, 'is missing');
  return stringValue(name, field);
}

/** `record[name] = value` as an own property, even for a `__proto__` name. */
function setOwn(record: Record<string, string>, name: string, value: string): void {
  if (name === '__proto__') {
    Object.defineProperty(record, name, { value, enumerable: true, writable: true, configurable: true });
  } else record[name] = value;
}

/** `event_version` as a decimal string (what we write) or any integer header kind (what others may). */
function readVersion(field: HeaderField | undefined): number {
  const name = `header ${EnvelopeHeader.eventVersion}`;
  if (field === undefined) throw new EnvelopeValidationError(name, 'is missing');
  let value: unknown;
  switch (field.kind) {
    case HeaderKind.String:
      value = /^\d{1,10}$/.test(field.value) ? Number(field.value) : field.value;
      break;
    case HeaderKind.Raw:
    case HeaderKind.Bool:
    case HeaderKind.Float32:
    case HeaderKind.Float64:
      throw new EnvelopeValidationError(name, `must be a string or integer header, got kind ${field.kind}`);
    default:
      value = Number(field.value);
  }
  return checkVersion(value, name);
}

function stringValue(key: string, field: HeaderField): string {
  if (field.kind !== HeaderKind.String) {
    throw new EnvelopeValidationError(`header ${key}`, `must be a string header, got kind ${field.kind}`);
  }
  return field.value;
}
