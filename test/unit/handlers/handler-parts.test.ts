import { describe, expect, it } from '@jest/globals';
import {
  IggyEventHandler,
  compileEventPattern,
  eventHandlerMetadataOf,
  resolveRetryOptions,
} from '../../../lib/handlers/index.js';
import { IdempotencyWindow, backoffDelayMs } from '../../../lib/consumer/index.js';

describe('compileEventPattern', () => {
  it.each([
    ['order.created', 'order.created', true],
    ['order.created', 'order.paid', false],
    ['order.*', 'order.created', true],
    ['order.*', 'order', false],
    ['order.*', 'order.line.added', false],
    ['*.created', 'user.created', true],
    ['order.#', 'order', true],
    ['order.#', 'order.line.added', true],
    ['order.#', 'orders.created', false],
    ['#', 'anything.at.all', true],
    ['order.**', 'order.line.added', true],
    ['a.#.z', 'a.b.c.z', true],
    ['a.#.z', 'a.z', true],
    ['a.#.z', 'a.b.c', false],
  ])('%s vs %s → %s', (pattern, type, expected) => {
    expect(compileEventPattern(pattern)(type)).toBe(expected);
  });

  it('rejects empty patterns and segments', () => {
    expect(() => compileEventPattern('')).toThrow(TypeError);
    expect(() => compileEventPattern('order..created')).toThrow('empty segment');
  });
});

describe('IdempotencyWindow', () => {
  it('forgets the least recently added id past its capacity', () => {
    const w = new IdempotencyWindow(2);
    w.add('a');
    w.add('b');
    w.add('a'); // refreshed
    w.add('c'); // evicts b
    expect([w.has('a'), w.has('b'), w.has('c'), w.size]).toEqual([true, false, true, 2]);
    const off = new IdempotencyWindow(0);
    off.add('a');
    expect(off.has('a')).toBe(false);
  });
});

describe('retry settings', () => {
  it('layers handler options over module options over defaults', () => {
    expect(resolveRetryOptions({ attempts: 5 }, { initialDelayMs: 1 })).toEqual({
      attempts: 5,
      initialDelayMs: 1,
      maxDelayMs: 5_000,
      multiplier: 2,
      jitter: 0.2,
    });
    expect(() => resolveRetryOptions({ attempts: 0 })).toThrow('attempts');
  });

  it('grows exponentially, capped, with bounded jitter', () => {
    const retry = resolveRetryOptions({ initialDelayMs: 100, multiplier: 2, maxDelayMs: 1_000, jitter: 0 });
    expect([1, 2, 3, 4, 5].map((a) => backoffDelayMs(retry, a))).toEqual([100, 200, 400, 800, 1_000]);
    const jittered = { ...retry, jitter: 0.5 };
    expect(backoffDelayMs(jittered, 1, () => 0)).toBe(50);
    expect(backoffDelayMs(jittered, 1, () => 1)).toBe(150);
    expect(backoffDelayMs(jittered, 5, () => 1)).toBe(1_000);
  });
});

describe('@IggyEventHandler', () => {
  it('stacks several entries on one method and validates its options', () => {
    class H {
      @IggyEventHandler('a.b', { group: 'g1' })
      @IggyEventHandler('c.*', { group: 'g2', concurrency: 2 })
      m(): void {}
    }
    expect(eventHandlerMetadataOf(H.prototype.m).map((e) => [e.pattern, e.group])).toEqual([
      ['c.*', 'g2'],
      ['a.b', 'g1'],
    ]);
    expect(() => IggyEventHandler('a', { group: '' })).toThrow('group');
    expect(() => IggyEventHandler('a', { group: 'g', concurrency: 0 })).toThrow('concurrency');
    expect(() => IggyEventHandler('a..b', { group: 'g' })).toThrow('empty segment');
  });
});
