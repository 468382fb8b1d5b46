/** The label value that stands for every value past a budget. */
export const OTHER_LABEL = 'other';

/**
 * Bounds the distinct values one label takes (event types come from the messages, so from whoever
 * publishes): the first `max` values seen keep their name, later ones are reported as `other`.
 */
export class LabelBudget {
  private readonly seen = new Set<string>();

  constructor(private readonly max: number) {}

  /** `value` while it is one of the first `max` distinct values, else `other`. */
  of(value: string): string {
    if (this.seen.has(value)) return value;
    if (this.seen.size >= this.max) return OTHER_LABEL;
    this.seen.add(value);
    return value;
  }
}
