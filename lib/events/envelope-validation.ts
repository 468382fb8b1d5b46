import type { EventEnvelope } from './event-envelope.js';
import { EnvelopeValidationError, type MessageLocation } from './event-errors.js';
import { checkWellFormed } from './lone-surrogate.js';
import { validateTenantId } from './tenant-partitioner.js';

/** Any UUID, dashed, any version (foreign producers need not use v7). */
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;
/** A header key or value holds 1..255 bytes. */
const MAX_FIELD_BYTES = 255;
/** The prefix under which `envelope.headers` travel. */
export const ENVELOPE_HEADER_PREFIX = 'h.';
const MAX_HEADER_NAME_BYTES = MAX_FIELD_BYTES - ENVELOPE_HEADER_PREFIX.length;
const MAX_VERSION = 0xffff_ffff;

/** Throws unless `value` is a string of 1..`max` UTF-8 bytes. */
export function checkText(
  value: unknown,
  field: string,
  location?: MessageLocation,
  max = MAX_FIELD_BYTES,
): string {
  if (typeof value !== 'string') {
    throw new EnvelopeValidationError(field, `must be a string, got ${describe(value)}`, location);
  }
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes === 0 || bytes > max) {
    throw new EnvelopeValidationError(field, `must be 1..${max} bytes of UTF-8, got ${bytes}`, location);
  }
  checkWellFormed(value, bytes, field, location);
  return value;
}

export function checkUuid(value: unknown, field: string, location?: MessageLocation): string {
  if (typeof value !== 'string' || !UUID_RE.test(value)) {
    throw new EnvelopeValidationError(field, `must be a dashed UUID, got ${describe(value)}`, location);
  }
  return value;
}

export function checkVersion(value: unknown, field: string, location?: MessageLocation): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_VERSION) {
    throw new EnvelopeValidationError(
      field,
      `must be an integer in 0..${MAX_VERSION}, got ${describe(value)}`,
      location,
    );
  }
  return value;
}

export function checkTimestamp(value: unknown, field: string, location?: MessageLocation): string {
  if (typeof value !== 'string' || !ISO_RE.test(value) || Number.isNaN(Date.parse(value))) {
    throw new EnvelopeValidationError(
      field,
      `must be an ISO-8601 date-time, got ${describe(value)}`,
      location,
    );
  }
  return value;
}

function optionalText(value: unknown, field: string, location?: MessageLocation): string | undefined {
  return value === undefined ? undefined : checkText(value, field, location);
}

function checkHeaders(value: unknown, location?: MessageLocation): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new EnvelopeValidationError(
      'headers',
      `must be an object of strings, got ${describe(value)}`,
      location,
    );
  }
  const entries = Object.entries(value);
  for (const [name, v] of entries) {
    checkText(name, `headers name '${name}'`, location, MAX_HEADER_NAME_BYTES);
    checkText(v, `headers.${name}`, location);
  }
  // fromEntries defines own properties, so even a `__proto__` name stays a plain header
  return Object.fromEntries(entries) as Record<string, string>;
}

/**
 * Checks an envelope from anywhere (the wire, a store, a user) and returns a clean copy holding only
 * the envelope's fields; throws `EnvelopeValidationError` naming the first bad field. Limits are those
 * of message headers, where the metadata travels: strings 1..255 bytes, header names 1..253 bytes.
 */
export function validateEnvelope(value: unknown, location?: MessageLocation): EventEnvelope {
  return checkEnvelope(value, location, {});
}

/** Fields `createEnvelope` made itself (a fresh UUID v7, an ISO string from a Date): not checked again. */
export interface MadeFields {
  id?: boolean;
  occurredAt?: boolean;
}

/** `validateEnvelope`, taking the fields in `made` as they are. */
export function checkEnvelope(
  value: unknown,
  location: MessageLocation | undefined,
  made: MadeFields,
): EventEnvelope {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new EnvelopeValidationError('(envelope)', `must be an object, got ${describe(value)}`, location);
  }
  const v = value as Record<string, unknown>;
  try {
    validateTenantId(v.tenantId);
  } catch (err) {
    if (err instanceof EnvelopeValidationError)
      throw new EnvelopeValidationError(err.field, err.reason, location);
    throw err;
  }
  if (!('payload' in v)) throw new EnvelopeValidationError('payload', 'is missing', location);
  const envelope: EventEnvelope = {
    id: made.id ? (v.id as string) : checkUuid(v.id, 'id', location),
    tenantId: v.tenantId as string,
    type: checkText(v.type, 'type', location),
    version: checkVersion(v.version, 'version', location),
    occurredAt: made.occurredAt
      ? (v.occurredAt as string)
      : checkTimestamp(v.occurredAt, 'occurredAt', location),
    headers: checkHeaders(v.headers ?? {}, location),
    payload: v.payload,
  };
  const actorId = optionalText(v.actorId, 'actorId', location);
  const correlationId = optionalText(v.correlationId, 'correlationId', location);
  const causationId = optionalText(v.causationId, 'causationId', location);
  if (actorId !== undefined) envelope.actorId = actorId;
  if (correlationId !== undefined) envelope.correlationId = correlationId;
  if (causationId !== undefined) envelope.causationId = causationId;
  return envelope;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return value.length > 40 ? `'${value.slice(0, 40)}…'` : `'${value}'`;
  if (value === null) return 'null';
  if (typeof value === 'object') return Array.isArray(value) ? 'an array' : 'an object';
  return `${typeof value} ${String(value)}`;
}
