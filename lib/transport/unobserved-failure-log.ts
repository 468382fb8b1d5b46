import { describeError } from '../common/error-text.js';

/** How often, at most, the log hears of failed emits nobody subscribed to. */
const WINDOW_MS = 1_000;

/**
 * Logs the emits that failed with nothing subscribed to their observables, without flooding the log
 * when a burst fails (a broker that is down): the first failure of a second at once, the others of that
 * second as one count when it ends (and at `flush`, on close), so none goes untold.
 */
export class UnobservedFailureLog {
  private windowEndsAt = -Infinity;
  private muted = 0;
  private lastMuted: unknown;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly log: (line: string) => void) {}

  failed(error: unknown): void {
    const now = Date.now();
    if (now < this.windowEndsAt) {
      this.muted++;
      this.lastMuted = error;
      this.timer ??= setTimeout(() => this.flush(), this.windowEndsAt - now).unref();
      return;
    }
    this.windowEndsAt = now + WINDOW_MS;
    this.log(
      `an emit failed and nothing subscribed to its observable, so the event was not published: ${describeError(error)}`,
    );
  }

  /** Logs the count of the failures not told yet. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.muted === 0) return;
    const count = this.muted;
    const last = this.lastMuted;
    this.muted = 0;
    this.lastMuted = undefined;
    this.windowEndsAt = Date.now() + WINDOW_MS;
    this.log(
      `${count} more emit(s) failed with nothing subscribed to their observables, so those events were not published; the last: ${describeError(last)}`,
    );
  }
}
