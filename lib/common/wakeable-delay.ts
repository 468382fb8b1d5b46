/**
 * A sleep that can be cut short: `sleep(ms)` resolves after `ms`, or at once when `wake()` is called (it
 * ends every sleep under way), or when the delay is closed (`close()`: this and every later sleep ends
 * at once, for a loop that is stopping).
 */
export class WakeableDelay {
  private readonly sleepers = new Set<() => void>();
  private isClosed = false;

  get closed(): boolean {
    return this.isClosed;
  }

  sleep(ms: number): Promise<void> {
    if (this.isClosed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.sleepers.add(done);
    });
  }

  /** Ends every sleep under way. */
  wake(): void {
    for (const done of [...this.sleepers]) done();
  }

  /** Ends every sleep under way and every later one at once. */
  close(): void {
    this.isClosed = true;
    this.wake();
  }
}
