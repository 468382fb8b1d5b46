/**
 * Id allocation the way the real server does it (Rust's `slab` crate): a new entry takes the most
 * recently freed slot (LIFO), or the next slot past the end. So ids start at 0 and a deleted id is
 * reused by the next create. Iteration is in ascending key order.
 */
export class Slab<T> {
  /** `undefined` marks a vacant slot. */
  private readonly slots: (T | undefined)[] = [];
  /** Vacant slot -> next vacant slot in the free list (slots.length ends the list). */
  private readonly nextFree = new Map<number, number>();
  private head = 0;
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** The key the next insert will take. */
  vacantKey(): number {
    return this.head;
  }

  insert(value: T): number {
    const key = this.head;
    if (key === this.slots.length) {
      this.slots.push(value);
      this.head = this.slots.length;
    } else {
      this.head = this.nextFree.get(key) ?? this.slots.length;
      this.nextFree.delete(key);
      this.slots[key] = value;
    }
    this.count++;
    return key;
  }

  get(key: number): T | undefined {
    return Number.isInteger(key) && key >= 0 ? this.slots[key] : undefined;
  }

  has(key: number): boolean {
    return this.get(key) !== undefined;
  }

  remove(key: number): T | undefined {
    const value = this.get(key);
    if (value === undefined) return undefined;
    this.slots[key] = undefined;
    this.nextFree.set(key, this.head);
    this.head = key;
    this.count--;
    return value;
  }

  *entries(): IterableIterator<[number, T]> {
    for (let key = 0; key < this.slots.length; key++) {
      const value = this.slots[key];
      if (value !== undefined) yield [key, value];
    }
  }

  *values(): IterableIterator<T> {
    for (let key = 0; key < this.slots.length; key++) {
      const value = this.slots[key];
      if (value !== undefined) yield value;
    }
  }

  /** The first value, in key order, that `matches` (a plain loop: lookups by name run on every poll). */
  find(matches: (value: T) => boolean): T | undefined {
    for (let key = 0; key < this.slots.length; key++) {
      const value = this.slots[key];
      if (value !== undefined && matches(value)) return value;
    }
    return undefined;
  }

  /** Plain data that `Slab.restore` turns back into the same slab (same future ids). */
  snapshot<S>(map: (value: T, key: number) => S): SlabSnapshot<S> {
    const free: number[] = [];
    for (let key = this.head; key < this.slots.length; key = this.nextFree.get(key) ?? this.slots.length) {
      free.push(key);
    }
    return {
      length: this.slots.length,
      free,
      items: [...this.entries()].map(([key, value]) => [key, map(value, key)]),
    };
  }

  static restore<S, T>(snapshot: SlabSnapshot<S>, map: (item: S, key: number) => T): Slab<T> {
    const slab = new Slab<T>();
    for (let i = 0; i < snapshot.length; i++) slab.slots.push(undefined);
    for (const [key, item] of snapshot.items) {
      if (!Number.isInteger(key) || key < 0 || key >= snapshot.length || slab.slots[key] !== undefined) {
        throw new Error(`corrupt id table: key ${key} (length ${snapshot.length})`);
      }
      slab.slots[key] = map(item, key);
      slab.count++;
    }
    const vacant = new Set<number>();
    for (let key = 0; key < snapshot.length; key++) if (slab.slots[key] === undefined) vacant.add(key);
    // The saved free list first (keeps the real allocation order), then any vacant slot it missed.
    const order = snapshot.free.filter((key) => vacant.delete(key));
    order.push(...vacant);
    slab.head = order[0] ?? snapshot.length;
    order.forEach((key, i) => slab.nextFree.set(key, order[i + 1] ?? snapshot.length));
    return slab;
  }
}

export interface SlabSnapshot<S> {
  length: number;
  /** Vacant keys in reuse order. */
  free: number[];
  items: [number, S][];
}
