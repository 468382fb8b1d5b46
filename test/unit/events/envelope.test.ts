import { describe, expect, it } from '@jest/globals';
import {
  createEnvelope,
  EnvelopeValidationError,
  validateEnvelope,
  type EventEnvelope,
} from '../../../lib/events/index.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof EnvelopeValidationError) return err.field;
    throw err;
  }
  return undefined;
}

describe('createEnvelope', () => {
  it('fills id (UUID v7), version 1, occurredAt (ISO, now) and empty headers', () => {
    const before = Date.now();
    const e = createEnvelope({ tenantId: 't-1', type: 'order.created', payload: { n: 1 } });
    expect(e.id).toMatch(UUID_V7);
    expect(e.version).toBe(1);
    expect(Date.parse(e.occurredAt)).toBeGreaterThanOrEqual(before);
    expect(e.occurredAt).toBe(new Date(e.occurredAt).toISOString());
    expect(e).toEqual({
      id: e.id,
      tenantId: 't-1',
      type: 'order.created',
      version: 1,
      occurredAt: e.occurredAt,
      headers: {},
      payload: { n: 1 },
    });
  });

  it('gives time-ordered ids', () => {
    const ids = Array.from(
      { length: 50 },
      () => createEnvelope({ tenantId: 't', type: 'x', payload: null }).id,
    );
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(50);
  });

  it('keeps what it is given and turns a Date into its ISO string', () => {
    const e = createEnvelope({
      id: '0190a5b6-0000-7000-8000-000000000001',
      tenantId: 'acme',
      actorId: 'user-7',
      type: 'invoice.paid',
      version: 3,
      occurredAt: new Date(Date.UTC(2025, 0, 31, 12)),
      correlationId: 'corr',
      causationId: 'cause',
      headers: { trace: 'abc' },
      payload: 'x',
    });
    expect(e).toMatchObject({ version: 3, occurredAt: '2025-01-31T12:00:00.000Z', actorId: 'user-7' });
  });

  it('causedBy sets causation and correlation from the parent event', () => {
    const root = createEnvelope({ tenantId: 't', type: 'a', payload: 1 });
    const child = createEnvelope({ tenantId: 't', type: 'b', payload: 2, causedBy: root });
    const grandchild = createEnvelope({ tenantId: 't', type: 'c', payload: 3, causedBy: child });
    expect(child).toMatchObject({ causationId: root.id, correlationId: root.id });
    expect(grandchild).toMatchObject({ causationId: child.id, correlationId: root.id });
  });

  it('names the bad field', () => {
    const base = { tenantId: 't', type: 'x', payload: 1 };
    expect(fieldOf(() => createEnvelope({ ...base, tenantId: '' }))).toBe('tenantId');
    expect(fieldOf(() => createEnvelope({ ...base, tenantId: 'é'.repeat(128) }))).toBe('tenantId');
    expect(fieldOf(() => createEnvelope({ ...base, type: '' }))).toBe('type');
    expect(fieldOf(() => createEnvelope({ ...base, version: 1.5 }))).toBe('version');
    expect(fieldOf(() => createEnvelope({ ...base, version: -1 }))).toBe('version');
    expect(fieldOf(() => createEnvelope({ ...base, id: 'nope' }))).toBe('id');
    expect(fieldOf(() => createEnvelope({ ...base, occurredAt: 'yesterday' }))).toBe('occurredAt');
    expect(fieldOf(() => createEnvelope({ ...base, occurredAt: new Date(NaN) }))).toBe('occurredAt');
    expect(fieldOf(() => createEnvelope({ ...base, actorId: 'a'.repeat(256) }))).toBe('actorId');
    expect(fieldOf(() => createEnvelope({ ...base, headers: { k: '' } }))).toBe('headers.k');
    expect(fieldOf(() => createEnvelope({ ...base, type: 'order.\ud800' }))).toBe('type');
    expect(fieldOf(() => createEnvelope({ ...base, tenantId: 'a\udc00' }))).toBe('tenantId');
    expect(fieldOf(() => createEnvelope({ ...base, headers: { k: '\ud83d' } }))).toBe('headers.k');
    expect(fieldOf(() => createEnvelope({ ...base, headers: { ['n'.repeat(254)]: 'v' } }))).toMatch(
      /^headers name/,
    );
    expect(() => createEnvelope({ ...base, tenantId: '' })).toThrow(
      /envelope tenantId: must be 1\.\.255 bytes/,
    );
  });
});

describe('validateEnvelope', () => {
  const good: EventEnvelope = createEnvelope({ tenantId: 't', type: 'x', payload: { a: 1 }, actorId: 'me' });

  it('returns a clean copy holding only envelope fields', () => {
    const copy = validateEnvelope({ ...good, extra: 'dropped' });
    expect(copy).toEqual(good);
    expect('extra' in copy).toBe(false);
  });

  it('rejects non-objects, missing fields and wrong types', () => {
    expect(fieldOf(() => validateEnvelope(null))).toBe('(envelope)');
    expect(fieldOf(() => validateEnvelope([]))).toBe('(envelope)');
    const { payload: _payload, ...noPayload } = good;
    expect(fieldOf(() => validateEnvelope(noPayload))).toBe('payload');
    expect(fieldOf(() => validateEnvelope({ ...good, version: '1' }))).toBe('version');
    expect(fieldOf(() => validateEnvelope({ ...good, headers: { a: 1 } }))).toBe('headers.a');
    expect(fieldOf(() => validateEnvelope({ ...good, headers: [] }))).toBe('headers');
    expect(fieldOf(() => validateEnvelope({ ...good, correlationId: 5 }))).toBe('correlationId');
    expect(fieldOf(() => validateEnvelope({ ...good, tenantId: undefined }))).toBe('tenantId');
  });

  it('names the message location when given one', () => {
    expect(() =>
      validateEnvelope({ ...good, type: 7 }, { stream: 's', topic: 't', partition: 2, offset: 9n }),
    ).toThrow("envelope type: must be a string, got number 7 (stream 's', topic 't', partition 2, offset 9)");
  });
});
