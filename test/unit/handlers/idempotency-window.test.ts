import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { IdempotencyWindow } from '../../../lib/consumer/idempotency/idempotency-window.js';

/** The window's meaning, spelled out: the last `capacity` distinct ids, a re-added id counting as newest. */
class ReferenceWindow {
  private ids: string[] = [];
  constructor(private readonly capacity: number) {}
  add(id: string): void {
    if (this.capacity === 0) return;
    this.ids = [...this.ids.filter((x) => x !== id), id].slice(-this.capacity);
  }
  has(id: string): boolean {
    return this.ids.includes(id);
  }
  get size(): number {
    return this.ids.length;
  }
}

describe('IdempotencyWindow against its reference', () => {
  it('holds exactly the last `capacity` distinct ids after any sequence of adds', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 6 }),
        fc.array(fc.integer({ min: 0, max: 12 }), { maxLength: 300 }),
        (capacity, adds) => {
          const window = new IdempotencyWindow(capacity);
          const reference = new ReferenceWindow(capacity);
          for (const n of adds) {
            window.add(`id-${n}`);
            reference.add(`id-${n}`);
            expect(window.size).toBe(reference.size);
          }
          for (let n = 0; n <= 12; n++) expect(window.has(`id-${n}`)).toBe(reference.has(`id-${n}`));
        },
      ),
    );
  });

  it('stays exact across many evictions and repeated re-adds of a few ids', () => {
    const window = new IdempotencyWindow(100);
    const reference = new ReferenceWindow(100);
    for (let i = 0; i < 5_000; i++) {
      const id = i % 7 === 0 ? 'hot' : i % 3 === 0 ? `warm-${i % 40}` : `cold-${i}`;
      window.add(id);
      reference.add(id);
    }
    for (let i = 0; i < 5_000; i++) {
      for (const id of [`cold-${i}`, `warm-${i % 40}`, 'hot']) expect(window.has(id)).toBe(reference.has(id));
    }
    expect(window.size).toBe(100);
  });

  it('re-adding one id forever keeps a single entry', () => {
    const window = new IdempotencyWindow(3);
    for (let i = 0; i < 10_000; i++) window.add('same');
    window.add('other');
    expect([window.size, window.has('same'), window.has('other')]).toEqual([2, true, true]);
  });
});
