import { describe, expect, it } from '@jest/globals';
import { Slab } from '../../../../lib/broker/metadata/slab.js';

describe('Slab (ids like the real server: 0-based, freed ids reused last-freed first)', () => {
  it('assigns 0, 1, 2 and reuses the most recently freed id first', () => {
    const slab = new Slab<string>();
    expect([slab.insert('a'), slab.insert('b'), slab.insert('c')]).toEqual([0, 1, 2]);
    slab.remove(0);
    slab.remove(2);
    expect(slab.vacantKey()).toBe(2);
    expect(slab.insert('d')).toBe(2);
    expect(slab.insert('e')).toBe(0);
    expect(slab.insert('f')).toBe(3);
    expect([...slab.entries()]).toEqual([
      [0, 'e'],
      [1, 'b'],
      [2, 'd'],
      [3, 'f'],
    ]);
  });

  it('finds the first value in key order that matches, skipping vacant slots', () => {
    const slab = new Slab<string>();
    for (const v of ['a', 'bb', 'cc', 'd']) slab.insert(v);
    slab.remove(1);
    expect(slab.find((v) => v.length === 2)).toBe('cc');
    expect(slab.find((v) => v === 'bb')).toBeUndefined();
    expect(slab.find(() => true)).toBe('a');
    expect([...slab.values()]).toEqual(['a', 'cc', 'd']);
  });

  it('ignores removal of a vacant or invalid key', () => {
    const slab = new Slab<number>();
    slab.insert(1);
    expect(slab.remove(5)).toBeUndefined();
    expect(slab.remove(-1)).toBeUndefined();
    expect(slab.remove(0)).toBe(1);
    expect(slab.remove(0)).toBeUndefined();
    expect(slab.size).toBe(0);
    expect(slab.insert(2)).toBe(0);
  });

  it('restores from a snapshot with the same future ids', () => {
    const slab = new Slab<string>();
    for (const v of ['a', 'b', 'c', 'd']) slab.insert(v);
    slab.remove(1);
    slab.remove(3);
    const restored = Slab.restore(JSON.parse(JSON.stringify(slab.snapshot((v) => v))), (v: string) => v);
    expect([...restored.entries()]).toEqual([...slab.entries()]);
    expect([restored.insert('x'), restored.insert('y'), restored.insert('z')]).toEqual([
      slab.insert('x'),
      slab.insert('y'),
      slab.insert('z'),
    ]);
  });

  it('rejects a corrupt snapshot', () => {
    expect(() => Slab.restore({ length: 1, free: [], items: [[3, 'x']] }, (v) => v)).toThrow(/corrupt/);
  });
});
