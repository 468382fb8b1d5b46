/**
 * The relay's sleep: ends at its deadline, at `wake()` (unless the sleep is a backoff), or at `stop()`.
 * A wake that comes while the relay is busy is kept, so the next sleep ends at once: a commit noticed
 * mid-batch is never missed.
 */
export class RelayTimer {
  private pending = false;
  private stopped = false;
  private current: { timer: NodeJS.Timeout; resolve: () => void; interruptible: boolean } | undefined;

  reset(): void {
    this.stopped = false;
    this.pending = false;
  }

  /** Forgets wakes that came before now (the claim about to run will see their rows). */
  clearPending(): void {
    this.pending = false;
  }

  sleep(ms: number, interruptible: boolean): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (interruptible && this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.current = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.current = { timer, resolve: done, interruptible };
    });
  }

  wake(): void {
    const current = this.current;
    if (current?.interruptible) current.resolve();
    else this.pending = true;
  }

  /** Ends the sleep under way, a backoff too (what it waited for is back). */
  retryNow(): void {
    this.current?.resolve();
  }

  stop(): void {
    this.stopped = true;
    this.current?.resolve();
  }
}
