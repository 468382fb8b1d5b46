/** An item of a group: settled by the group's writer, rejected by the queue if the writer throws. */
export interface GroupMember {
  reject(error: unknown): void;
}

/**
 * Runs operations one at a time, in call order, and forms groups (group commit): items that `join` while
 * earlier operations run wait together in one open group, handed to `writeGroup` in one call when their
 * turn comes. So concurrent appends cost one write (and one fsync) per group, not one per item. Any other
 * operation (`run`) closes the open group: items joining after it are handled after it. A group holds at
 * most `maxWeight` (by `weigh`; at least one item).
 */
export class GroupCommitQueue<T extends GroupMember> {
  private tail: Promise<unknown> = Promise.resolve();
  private open: { items: T[]; weight: number } | null = null;

  constructor(
    private readonly writeGroup: (items: T[]) => Promise<void>,
    private readonly weigh: (item: T) => number = () => 1,
    private readonly maxWeight = Number.POSITIVE_INFINITY,
  ) {}

  /** Adds `item` to the open group, or opens a new one behind the operations already queued. */
  join(item: T): void {
    const weight = this.weigh(item);
    const open = this.open;
    if (open && open.weight + weight <= this.maxWeight) {
      open.items.push(item);
      open.weight += weight;
      return;
    }
    const group = { items: [item], weight };
    void this.chain(async () => {
      if (this.open === group) this.open = null;
      try {
        await this.writeGroup(group.items);
      } catch (error) {
        for (const member of group.items) member.reject(error); // no-op for those already settled
      }
    });
    this.open = group;
  }

  /** Runs `operation` after everything queued before it; items joining later wait for it. */
  run<R>(operation: () => Promise<R>): Promise<R> {
    this.open = null;
    return this.chain(operation);
  }

  private chain<R>(operation: () => Promise<R>): Promise<R> {
    const result = this.tail.then(operation);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
