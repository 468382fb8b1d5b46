import type { Counter, LabelValues } from 'prom-client';
import { OTHER_LABEL } from './label-budget.js';
import type { HistogramSlot } from './slot-histogram.js';

/** One label set's count not yet added to its counter. */
export interface TallySlot {
  n: number;
}

/**
 * A prom-client counter's per-message counts kept as plain numbers, one slot per label set, and added to
 * the counter when it is read (`flushInto`, from the counter's `collect`). prom-client validates, hashes
 * and allocates for the labels of every `inc`: more than the rest of a message's bookkeeping costs.
 */
export class CounterTally<L extends string> {
  private readonly slots = new Map<string, { labels: LabelValues<L>; slot: TallySlot }>();

  /** The slot of `labels` (one per distinct label set, however often asked). */
  slot(labels: LabelValues<L>): TallySlot {
    const key = Object.values(labels).join('\u0000');
    let entry = this.slots.get(key);
    if (!entry) this.slots.set(key, (entry = { labels, slot: { n: 0 } }));
    return entry.slot;
  }

  /** Adds what the slots counted since the last flush to `counter`. */
  flushInto(counter: Counter<L>): void {
    for (const { labels, slot } of this.slots.values()) {
      if (slot.n === 0) continue;
      counter.inc(labels, slot.n);
      slot.n = 0;
    }
  }
}

/** One event type's labels (the fixed ones and its type label), its count, and its time series once timed. */
export interface EventTypeEntry<L extends string> {
  labels: LabelValues<L | 'type'>;
  count: TallySlot;
  seconds?: HistogramSlot;
}

/**
 * A counter's counts by event type under fixed other labels (a group, or a stream and topic), and the
 * label sets for the type's other metrics: each type's entry is made once, then kept while the type is
 * within the label budget (`typeLabel` says `other` past it, and those types are not kept).
 */
export class EventTypeCounts<L extends string> {
  private readonly byType = new Map<string, EventTypeEntry<L>>();

  constructor(
    private readonly tally: CounterTally<L | 'type'>,
    private readonly fixed: LabelValues<L>,
    private readonly typeLabel: (type: string) => string,
  ) {}

  /** The entry of `type`. */
  of(type: string): EventTypeEntry<L> {
    const known = this.byType.get(type);
    if (known !== undefined) return known;
    const label = this.typeLabel(type);
    const labels = { ...this.fixed, type: label } as LabelValues<L | 'type'>;
    const entry = { labels, count: this.tally.slot(labels) };
    if (label !== OTHER_LABEL) this.byType.set(type, entry);
    return entry;
  }

  add(type: string): void {
    this.of(type).count.n++;
  }
}
