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
    return new Set(ids.filter((id) => this.has(group, id)));
  }

  async record(group: string, ids: readonly string[]): Promise<void> {
    for (const id of ids) this.add(group, id);
  }

  /** `handled` for one id, synchronously (what the guard uses: no promise, no array per message). */
  has(group: string, id: string): boolean {
    return this.windows.get(group)?.has(id) ?? false;
  }

  /** `record` of one id, synchronously. */
  add(group: string, id: string): void {
    let window = this.windows.get(group);
    if (!window) this.windows.set(group, (window = new IdempotencyWindow(this.capacity)));
    window.add(id);
  }

  /** Nothing to do: a window never holds more than `capacity` ids. */
  async prune(): Promise<number> {
    return 0;
  }
}
