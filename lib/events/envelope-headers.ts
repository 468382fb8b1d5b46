import type { ReceivedMessage } from '../connectors/message-subscriber.js';
import { SubscribedMessage } from '../connectors/subscribed-message.js';
import { messageIdToUuid } from '../protocol/messages/message-id.js';
import {
  encodeStringHeaders,
  Header,
  headerValueAt,
  HeaderKind,
  walkUserHeaders,
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
import { LastPassed, RecentHeaderTexts } from './recent-header-texts.js';
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

/** The names of the envelope's own fields among the headers. */
const ENVELOPE_FIELD_NAMES: ReadonlySet<string> = new Set(Object.values(EnvelopeHeader));

/** Per envelope field but the (ever new) event id, the texts its header carried lately. */
const RECENT_TEXTS: ReadonlyMap<string, RecentHeaderTexts> = new Map(
  [...ENVELOPE_FIELD_NAMES]
    .filter((name) => name !== EnvelopeHeader.eventId)
    .map((name) => [name, new RecentHeaderTexts()]),
);

/** The text of a string header's value read in place (see `HeaderVisitor`). */
function fieldText(name: string, buf: Buffer, start: number, end: number, ascii: boolean): string {
  const recent = ascii ? RECENT_TEXTS.get(name) : undefined;
  return recent ? recent.text(buf, start, end) : buf.toString(ascii ? 'latin1' : 'utf8', start, end);
}

/** An envelope header as read: the text of a string header, else its field (an error but for the version). */
type Found = string | HeaderField;

/** The envelope's headers found in one walk (a later duplicate wins, as in the server's map). */
class EnvelopeFields {
  id: Found | undefined;
  tenant: Found | undefined;
  type: Found | undefined;
  version: Found | undefined;
  occurredAt: Found | undefined;
  actor: Found | undefined;
  correlation: Found | undefined;
  causation: Found | undefined;
  contentType: Found | undefined;
  /** The `h.<name>` headers. */
  own: HeaderEntry[] | undefined;

  /** Takes the value of the envelope field `name` (one of `ENVELOPE_FIELD_NAMES`). */
  set(name: string, value: Found): void {
    switch (name) {
      case EnvelopeHeader.eventId:
        this.id = value;
        break;
      case EnvelopeHeader.tenantId:
        this.tenant = value;
        break;
      case EnvelopeHeader.eventType:
        this.type = value;
        break;
      case EnvelopeHeader.eventVersion:
        this.version = value;
        break;
      case EnvelopeHeader.occurredAt:
        this.occurredAt = value;
        break;
      case EnvelopeHeader.actorId:
        this.actor = value;
        break;
      case EnvelopeHeader.correlationId:
        this.correlation = value;
        break;
      case EnvelopeHeader.causationId:
        this.causation = value;
        break;
      default:
        this.contentType = value;
    }
  }

  /** A header that is not an envelope field: kept as one of `h.<name>`, else added to `rest`. */
  other(entry: HeaderEntry, rest: HeaderEntry[] | undefined): void {
    if (isOwnHeader(entry.key)) (this.own ??= []).push(entry);
    else rest?.push(entry);
  }
}

/** One of the envelope's own `h.<name>` headers. */
function isOwnHeader(key: HeaderField): boolean {
  return key.kind === HeaderKind.String && key.value.startsWith(ENVELOPE_HEADER_PREFIX);
}

function readMeta(received: ReceivedMessage, rest: HeaderEntry[] | undefined): EventMeta {
  const fields = new EnvelopeFields();
  const encoded = SubscribedMessage.encodedHeaders(received);
  if (encoded) {
    // Straight from the bytes: envelope values become strings, no header objects for them.
    walkUserHeaders(encoded, 0, encoded.length, (key, kind, start, end, ascii) => {
      if (key.kind === HeaderKind.String && ENVELOPE_FIELD_NAMES.has(key.value)) {
        fields.set(
          key.value,
          kind === HeaderKind.String
            ? fieldText(key.value, encoded, start, end, ascii)
            : headerValueAt(encoded, kind, start, end, ascii),
        );
      } else if (rest !== undefined || isOwnHeader(key)) {
        // Another header's value is read only when someone keeps it.
        fields.other({ key, value: headerValueAt(encoded, kind, start, end, ascii) }, rest);
      }
    });
  } else {
    for (const entry of received.headers) {
      const { key, value } = entry;
      if (key.kind === HeaderKind.String && ENVELOPE_FIELD_NAMES.has(key.value)) {
        fields.set(key.value, value.kind === HeaderKind.String ? value.value : value);
      } else fields.other(entry, rest);
    }
  }
  return metaOf(received, fields);
}

/** Checks of the fields whose values repeat and cost most to check. */
const OCCURRED_AT = new LastPassed((text) => checkTimestamp(text, `header ${EnvelopeHeader.occurredAt}`));
/** `event_version` as a decimal string (what we write). */
const VERSION_TEXT = new LastPassed((text) =>
  checkVersion(/^\d{1,10}$/.test(text) ? Number(text) : text, `header ${EnvelopeHeader.eventVersion}`),
);

function metaOf(received: ReceivedMessage, fields: EnvelopeFields): EventMeta {
  const idHeader = text(EnvelopeHeader.eventId, fields.id);
  const tenantId = required(EnvelopeHeader.tenantId, fields.tenant);
  validateTenantId(tenantId, `header ${EnvelopeHeader.tenantId}`);
  const meta: EventMeta = {
    id:
      idHeader === undefined
        ? messageIdToUuid(received.id)
        : checkUuid(idHeader, `header ${EnvelopeHeader.eventId}`),
    tenantId,
    type: checkText(required(EnvelopeHeader.eventType, fields.type), `header ${EnvelopeHeader.eventType}`),
    version: readVersion(fields.version),
    occurredAt: OCCURRED_AT.of(required(EnvelopeHeader.occurredAt, fields.occurredAt)),
    headers: {},
    contentType: text(EnvelopeHeader.contentType, fields.contentType),
  };
  const actorId = text(EnvelopeHeader.actorId, fields.actor);
  const correlationId = text(EnvelopeHeader.correlationId, fields.correlation);
  const causationId = text(EnvelopeHeader.causationId, fields.causation);
  if (actorId !== undefined) meta.actorId = actorId;
  if (correlationId !== undefined) meta.correlationId = correlationId;
  if (causationId !== undefined) meta.causationId = causationId;
  if (fields.own) {
    // later duplicates win, as in the server's map
    for (const { key, value } of fields.own) {
      const name = (key.value as string).slice(ENVELOPE_HEADER_PREFIX.length);
      setOwn(meta.headers, name, stringValue(key.value as string, value));
    }
  }
  return meta;
}

function text(name: string, found: Found | undefined): string | undefined {
  return found === undefined ? undefined : stringValue(name, found);
}

function required(name: string, found: Found | undefined): string {
  if (found === undefined) throw new EnvelopeValidationError(`header ${name}`, 'is missing');
  return stringValue(name, found);
}

/** `record[name] = value` as an own property, even for a `__proto__` name. */
function setOwn(record: Record<string, string>, name: string, value: string): void {
  if (name === '__proto__') {
    Object.defineProperty(record, name, { value, enumerable: true, writable: true, configurable: true });
  } else record[name] = value;
}

/** `event_version` as a decimal string (what we write) or any integer header kind (what others may). */
function readVersion(found: Found | undefined): number {
  const name = `header ${EnvelopeHeader.eventVersion}`;
  if (found === undefined) throw new EnvelopeValidationError(name, 'is missing');
  // A string header arrives as its text (`EnvelopeFields`); a field here is of another kind.
  if (typeof found === 'string') return VERSION_TEXT.of(found);
  switch (found.kind) {
    case HeaderKind.Raw:
    case HeaderKind.Bool:
    case HeaderKind.Float32:
    case HeaderKind.Float64:
      throw new EnvelopeValidationError(name, `must be a string or integer header, got kind ${found.kind}`);
    default:
      return checkVersion(Number(found.value), name);
  }
}

function stringValue(key: string, field: Found): string {
  if (typeof field === 'string') return field;
  if (field.kind !== HeaderKind.String) {
    throw new EnvelopeValidationError(`header ${key}`, `must be a string header, got kind ${field.kind}`);
  }
  return field.value;
}
