/**
 * Tells a kind of occurrence without flooding the log when it comes in bursts (a broker that is down,
 * a backlog of stale requests): the first of a window at once (`first`), the others of that window as
 * one count when it ends, and at `flush` (`more`), so none goes untold.
 */
export class ThrottledLog<T> {
  private windowEndsAt = -Infinity;
  private muted = 0;
  private last: T | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly windowMs: number,
    private readonly first: (item: T) => void,
    private readonly more: (count: number, last: T) => void,
  ) {}

  note(item: T): void {
    const now = Date.now();
    if (now < this.windowEndsAt) {
      this.muted++;
      this.last = item;
      this.timer ??= setTimeout(() => this.flush(), this.windowEndsAt - now).unref();
      return;
    }
    this.windowEndsAt = now + this.windowMs;
    this.first(item);
  }

  /** Tells the count of the occurrences not told yet. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.muted === 0) return;
    const count = this.muted;
    const last = this.last as T;
    this.muted = 0;
    this.last = undefined;
    this.windowEndsAt = Date.now() + this.windowMs;
    this.more(count, last);
  }
}
