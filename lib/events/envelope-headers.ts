import type { ReceivedMessage } from '../connectors/message-subscriber.js';
import { messageIdToUuid } from '../protocol/messages/message-id.js';
import {
  encodeStringHeaders,
  Header,
  HeaderKind,
  headersByStringKey,
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
 */
export function readEventMeta(received: ReceivedMessage): EventMeta {
  const location = locationOf(received);
  const map = headersByStringKey(received.headers);
  const text = (name: string): string | undefined => {
    const field = map.get(name);
    return field === undefined ? undefined : stringValue(name, field, location);
  };
  const required = (name: string): string => {
    const value = text(name);
    if (value === undefined) throw new EnvelopeValidationError(`header ${name}`, 'is missing', location);
    return value;
  };

  const idHeader = text(EnvelopeHeader.eventId);
  const tenantId = required(EnvelopeHeader.tenantId);
  try {
    validateTenantId(tenantId, `header ${EnvelopeHeader.tenantId}`);
  } catch (err) {
    if (err instanceof EnvelopeValidationError)
      throw new EnvelopeValidationError(err.field, err.reason, location);
    throw err;
  }
  const meta: EventMeta = {
    id:
      idHeader === undefined
        ? messageIdToUuid(received.id)
        : checkUuid(idHeader, `header ${EnvelopeHeader.eventId}`, location),
    tenantId,
    type: checkText(required(EnvelopeHeader.eventType), `header ${EnvelopeHeader.eventType}`, location),
    version: readVersion(map.get(EnvelopeHeader.eventVersion), location),
    occurredAt: checkTimestamp(
      required(EnvelopeHeader.occurredAt),
      `header ${EnvelopeHeader.occurredAt}`,
      location,
    ),
    headers: {},
    contentType: text(EnvelopeHeader.contentType),
  };
  const actorId = text(EnvelopeHeader.actorId);
  const correlationId = text(EnvelopeHeader.correlationId);
  const causationId = text(EnvelopeHeader.causationId);
  if (actorId !== undefined) meta.actorId = actorId;
  if (correlationId !== undefined) meta.correlationId = correlationId;
  if (causationId !== undefined) meta.causationId = causationId;
  const own: [string, string][] = [];
  for (const [key, field] of map) {
    if (key.startsWith(ENVELOPE_HEADER_PREFIX)) {
      own.push([key.slice(ENVELOPE_HEADER_PREFIX.length), stringValue(key, field, location)]);
    }
  }
  meta.headers = Object.fromEntries(own); // own properties, even for a `__proto__` name
  return meta;
}

/** `event_version` as a decimal string (what we write) or any integer header kind (what others may). */
function readVersion(field: HeaderField | undefined, location: MessageLocation): number {
  const name = `header ${EnvelopeHeader.eventVersion}`;
  if (field === undefined) throw new EnvelopeValidationError(name, 'is missing', location);
  let value: unknown;
  switch (field.kind) {
    case HeaderKind.String:
      value = /^\d{1,10}$/.test(field.value) ? Number(field.value) : field.value;
      break;
    case HeaderKind.Raw:
    case HeaderKind.Bool:
    case HeaderKind.Float32:
    case HeaderKind.Float64:
      throw new EnvelopeValidationError(
        name,
        `must be a string or integer header, got kind ${field.kind}`,
        location,
      );
    default:
      value = Number(field.value);
  }
  return checkVersion(value, name, location);
}

function stringValue(key: string, field: HeaderField, location: MessageLocation): string {
  if (field.kind !== HeaderKind.String) {
    throw new EnvelopeValidationError(
      `header ${key}`,
      `must be a string header, got kind ${field.kind}`,
      location,
    );
  }
  return field.value;
}
