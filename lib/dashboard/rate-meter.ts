/** How far back a rate looks. */
const WINDOW_MS = 5_000;
/** Two readings closer than this give no rate yet (a burst of refreshes would divide by ~0). */
const MIN_SPAN_MS = 500;

interface Sample {
  at: number;
  count: number;
}

/**
 * Per-second rates of growing counters (a partition's message count, a group's stored offsets), from
 * the readings of the last `WINDOW_MS`. A counter that went down (a purged topic) starts over.
 */
export class RateMeter {
  private readonly samples = new Map<string, Sample[]>();
  private seen = new Set<string>();

  /** Records `count` for `key` at `at` (ms) and returns its rate, or null while it has no span yet. */
  observe(key: string, count: number, at: number): number | null {
    this.seen.add(key);
    let list = this.samples.get(key);
    if (!list || count < list[list.length - 1]!.count) {
      list = [];
      this.samples.set(key, list);
    }
    const last = list[list.length - 1];
    if (!last || at > last.at) list.push({ at, count });
    while (list.length > 2 && at - list[1]!.at >= WINDOW_MS) list.shift();
    const first = list[0]!;
    const span = at - first.at;
    if (span < MIN_SPAN_MS) return null;
    return ((count - first.count) * 1000) / span;
  }

  /** Forgets the keys not observed since the last call (deleted partitions, groups gone). */
  sweep(): void {
    for (const key of this.samples.keys()) if (!this.seen.has(key)) this.samples.delete(key);
    this.seen = new Set();
  }
}
