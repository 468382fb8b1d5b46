import { describe, expect, it } from '@jest/globals';
import { parse, stringify, validate, version } from 'uuid';
import { newEventId } from '../../../lib/events/event-id.js';
import { createEnvelope } from '../../../lib/events/event-envelope.js';

/** The 48-bit millisecond timestamp of a UUID v7. */
function msecsOf(id: string): number {
  return parseInt(id.replace(/-/g, '').slice(0, 12), 16);
}

describe('newEventId (UUID v7 from a pooled random source)', () => {
  it('gives valid, unique, strictly increasing v7 ids across many pool refills', () => {
    const ids = Array.from({ length: 50_000 }, () => newEventId());
    for (const id of [ids[0]!, ids[255]!, ids[256]!, ids.at(-1)!]) {
      expect(validate(id)).toBe(true);
      expect(version(id)).toBe(7);
      expect('89ab').toContain(id[19]); // RFC 9562 variant
    }
    expect(new Set(ids).size).toBe(ids.length);
    for (let i = 1; i < ids.length; i++) {
      if (!(ids[i - 1]! < ids[i]!)) throw new Error(`not increasing at ${i}: ${ids[i - 1]} then ${ids[i]}`);
    }
  });

  it('is formatted as uuid formats its bytes (lower-case hex, dashed)', () => {
    for (let i = 0; i < 2_000; i++) {
      const id = newEventId();
      expect(stringify(parse(id))).toBe(id);
    }
  });

  it('carries the time it was made', () => {
    const before = Date.now();
    const id = newEventId();
    const after = Date.now();
    expect(msecsOf(id)).toBeGreaterThanOrEqual(before);
    expect(msecsOf(id)).toBeLessThanOrEqual(after + 1);
  });

  it('stays increasing when the clock goes back, and takes the clock up again once it passes', () => {
    const now = Date.now() + 60_000;
    const a = newEventId(now);
    const b = newEventId(now - 5_000); // the clock went back: counted on from `a`
    const c = newEventId(now - 5_000);
    expect(a < b && b < c).toBe(true);
    expect(msecsOf(b)).toBe(now);
    const d = newEventId(now + 1);
    expect(c < d).toBe(true);
    expect(msecsOf(d)).toBe(now + 1);
  });

  it('differs in its random bits between ids of the same millisecond (not a bare counter)', () => {
    const now = Date.now() + 120_000;
    const tails = new Set(Array.from({ length: 64 }, () => newEventId(now).slice(-10)));
    expect(tails.size).toBe(64);
  });

  it('is what createEnvelope uses by default', () => {
    const first = createEnvelope({ tenantId: 't', type: 'x', payload: 1 });
    const second = createEnvelope({ tenantId: 't', type: 'x', payload: 2 });
    expect(version(first.id)).toBe(7);
    expect(first.id < second.id).toBe(true);
  });
});
