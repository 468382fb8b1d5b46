import { describe, expect, it } from '@jest/globals';
import { compilePattern, isWildcardPattern } from '../../../lib/consumer/pattern-matcher.js';
import { RouteTable, type Route } from '../../../lib/consumer/route-table.js';

describe('isWildcardPattern', () => {
  // compilePattern's cases are in test/unit/handlers/handler-parts.test.ts (compileEventPattern).
  it('tells wildcard patterns apart', () => {
    expect(['a.b', 'a.*', 'a.#', '**', 'a*b'].map(isWildcardPattern)).toEqual([
      false,
      true,
      true,
      true,
      false,
    ]);
  });
});

describe('RouteTable', () => {
  const route = (pattern: string, kind: Route['kind'], name = pattern): Route => ({
    name,
    pattern,
    matches: compilePattern(pattern),
    kind,
    guarded: kind === 'event' && name !== 'free',
    invoke: async () => undefined,
  });

  it('finds the matching event handlers in registration order, and one request handler (exact first)', () => {
    const table = new RouteTable([
      route('order.*', 'event'),
      route('order.created', 'event', 'free'),
      route('#', 'event'),
      route('order.#', 'request'),
      route('order.get', 'request'),
    ]);
    const created = table.match('order.created');
    expect(created.events.map((r) => r.pattern)).toEqual(['order.*', 'order.created', '#']);
    expect(created.request?.pattern).toBe('order.#');
    expect(created.guarded).toBe(true);
    expect(table.match('order.get').request?.pattern).toBe('order.get');
    expect(table.match('invoice.paid').events.map((r) => r.pattern)).toEqual(['#']);
    expect(table.match('invoice.paid').request).toBeUndefined();
    expect(table.match('order.created')).toBe(created); // cached per type
  });

  it('describes its routes for the start-up log', () => {
    const table = new RouteTable([
      route('order.created', 'event', 'Billing.charge'),
      route('quote', 'request'),
    ]);
    expect(table.describe()).toBe('order.created → Billing.charge, quote → request');
    expect(new RouteTable([]).describe()).toBe('(no handlers)');
  });
});
