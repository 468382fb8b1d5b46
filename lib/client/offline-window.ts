import { IggyClientError } from './errors.js';

/**
 * How long requests may wait for a lost connection to come back: `timeoutMs` after `open()`, if
 * `isOffline()` still holds, the window expires (`onExpired`) and requests should fail at once.
 */
export class OfflineWindow {
  private timer: NodeJS.Timeout | undefined;
  private expiredValue = false;

  constructor(
    private readonly timeoutMs: number,
    private readonly isOffline: () => boolean,
    private readonly onExpired: (error: IggyClientError) => void,
  ) {}

  /** Offline for longer than `timeoutMs`, and not back since. */
  get expired(): boolean {
    return this.expiredValue;
  }

  /** The connection is lost: starts the wait. */
  open(): void {
    const ms = this.timeoutMs;
    if (ms === Infinity) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.isOffline()) return;
      this.expiredValue = true;
      this.onExpired(
        new IggyClientError(
          'Disconnected',
          `not reconnected within ${ms} ms (offlineTimeoutMs); still trying`,
        ),
      );
    }, ms);
    this.timer.unref();
  }

  /** Back online (or closed): no wait, nothing expired. */
  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.expiredValue = false;
  }
}
