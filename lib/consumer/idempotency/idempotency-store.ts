/**
 * Where a group's idempotency guard keeps the envelope ids it handled. The guard asks before handling a
 * message (`handled`) and tells after its handlers succeeded, before the offset is committed (`record`).
 * Built in: `MemoryIdempotencyStore` (the default: a window per group in this process),
 * `PgIdempotencyStore` and `SqliteIdempotencyStore` (durable: they outlive a crash and are shared by
 * the instances of a group).
 */
export interface IdempotencyStore {
  /** Of `ids`, those `group` has handled (any order; unknown ids are simply absent). */
  handled(group: string, ids: readonly string[]): Promise<ReadonlySet<string>>;
  /** Records `ids` as handled by `group`; recording an id again is not an error. */
  record(group: string, ids: readonly string[]): Promise<void>;
  /** Forgets entries past the store's retention or capacity; resolves to how many went. */
  prune(now?: Date): Promise<number>;
}
