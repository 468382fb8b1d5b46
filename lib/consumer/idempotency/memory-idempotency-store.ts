import { IdempotencyWindow } from './idempotency-window.js';
import type { IdempotencyStore } from './idempotency-store.js';

/**
 * The default store: one `IdempotencyWindow` of `capacity` ids per group, in this process. Nothing
 * survives a restart, and the instances of a group do not share it (see `IdempotencyWindow`).
 */
export class MemoryIdempotencyStore implements IdempotencyStore {
  private readonly windows = new Map<string, IdempotencyWindow>();

  constructor(readonly capacity: number) {
    new IdempotencyWindow(capacity); // checks the capacity now rather than at the first record
  }

  async handled(group: string, ids: readonly string[]): Promise<ReadonlySet<string>> {
    const window = this.windows.get(group);
    return new Set(window ? ids.filter((id) => window.has(id)) : []);
  }

  async record(group: string, ids: readonly string[]): Promise<void> {
    let window = this.windows.get(group);
    if (!window) this.windows.set(group, (window = new IdempotencyWindow(this.capacity)));
    for (const id of ids) window.add(id);
  }

  /** Nothing to do: a window never holds more than `capacity` ids. */
  async prune(): Promise<number> {
    return 0;
  }
}
