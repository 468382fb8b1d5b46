/** A sleep that can be cut short: `sleep(ms)` resolves after `ms`, or at once when `wake()` is called. */
export class WakeableDelay {
  private wakeUp: (() => void) | undefined;

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }

  /** Ends the sleep under way, if any. */
  wake(): void {
    this.wakeUp?.();
  }
}
