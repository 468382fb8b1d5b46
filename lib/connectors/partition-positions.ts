/**
 * What a subscription knows of each partition it reads: the next offset it hands out, the offset it last
 * stored, and, where the session signals appends, which partitions it read to their end with nothing
 * appended since (polling those again would return nothing).
 */
export class PartitionPositions {
  private readonly cursor = new Map<number, bigint>();
  /** The cursors `forget` dropped, until the partition is handed out again: what was handed out of it. */
  private readonly previous = new Map<number, bigint>();
  private readonly stored = new Map<number, bigint>();
  private readonly appends = new Map<number, number>();
  private readonly drained = new Set<number>();
  /** The id of the last message handed out of each partition (with `handedOutTo`, where it sat). */
  private readonly lastId = new Map<number, bigint>();
  /** Partitions read before a lost session, not yet found to hold what was handed out of them. */
  private readonly unchecked = new Set<number>();

  /** The next offset to hand out of `partition`; undefined before the first. */
  next(partition: number): bigint | undefined {
    return this.cursor.get(partition);
  }

  handedOut(partition: number, offset: bigint, id: bigint): void {
    this.cursor.set(partition, offset + 1n);
    this.lastId.set(partition, id);
    if (this.previous.size > 0) this.previous.delete(partition);
  }

  /** The last message handed out of `partition`: its offset and id; undefined before the first. */
  lastHandedOut(partition: number): { offset: bigint; id: bigint } | undefined {
    const to = this.handedOutTo(partition);
    const id = this.lastId.get(partition);
    return to === undefined || id === undefined ? undefined : { offset: to - 1n, id };
  }

  /**
   * The session was lost (the server may have restarted): every partition read so far must be found to
   * hold, at the offset last handed out, the message handed out there, before reading goes on (`checked`).
   * A server that lost its unflushed tail in a crash starts the partition again at a lower offset, and
   * may have grown it past the old offset again by the time it is polled: offsets alone cannot tell.
   */
  suspect(): void {
    for (const partition of this.lastId.keys()) this.unchecked.add(partition);
  }

  isUnchecked(partition: number): boolean {
    return this.unchecked.size > 0 && this.unchecked.has(partition);
  }

  checked(partition: number): void {
    this.unchecked.delete(partition);
  }

  /** The cursor, or the one `forget` dropped: one past the last offset handed out of `partition`. */
  handedOutTo(partition: number): bigint | undefined {
    return this.cursor.get(partition) ?? this.previous.get(partition);
  }

  storedAt(partition: number, offset: bigint): void {
    if (offset > (this.stored.get(partition) ?? -1n)) this.stored.set(partition, offset);
  }

  /** Some partition's cursor is past its stored offset + 1: a poll from the stored offset repeats messages. */
  handedOutUncommitted(): boolean {
    for (const [partition, next] of this.cursor) {
      const stored = this.stored.get(partition);
      if (stored === undefined || next > stored + 1n) return true;
    }
    return false;
  }

  appended(partition: number): void {
    this.appends.set(partition, (this.appends.get(partition) ?? 0) + 1);
    this.drained.delete(partition);
  }

  isDrained(partition: number): boolean {
    return this.drained.has(partition);
  }

  /**
   * Runs `read` (a poll of `partition` asking for `count` messages) and marks the partition drained when
   * fewer came back and nothing was appended to it meanwhile.
   */
  async readToEnd<T extends { messages: readonly unknown[] }>(
    partition: number,
    count: number,
    read: () => Promise<T>,
  ): Promise<T> {
    const appendsBefore = this.appends.get(partition);
    const batch = await read();
    if (batch.messages.length < count && this.appends.get(partition) === appendsBefore) {
      this.drained.add(partition);
    }
    return batch;
  }

  /** `partition` starts again (its log was cut below the cursor): nothing is known of it any more. */
  restart(partition: number): void {
    this.cursor.delete(partition);
    this.previous.delete(partition);
    this.lastId.delete(partition);
    this.unchecked.delete(partition);
    this.stored.delete(partition);
    this.drained.delete(partition);
  }

  /** The membership was lost: the group's stored offsets decide again where reading resumes. */
  forget(): void {
    for (const [partition, next] of this.cursor) this.previous.set(partition, next);
    this.cursor.clear();
    this.stored.clear();
    this.drained.clear();
  }
}
