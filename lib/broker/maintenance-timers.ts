/**
 * The broker's periodic tasks (retention, consumer-group hand-over timeouts): each runs every `ms`
 * (none when `ms <= 0`), never keeps the process alive, and logs a failure instead of throwing.
 */
export class MaintenanceTimers {
  private readonly timers: ReturnType<typeof setInterval>[] = [];

  constructor(private readonly logError: (message: string) => void) {}

  every(ms: number, task: () => Promise<unknown> | unknown, what: string): void {
    if (ms <= 0) return;
    const timer = setInterval(() => {
      Promise.resolve()
        .then(task)
        .catch((error: unknown) => this.logError(`${what} failed: ${String(error)}`));
    }, ms);
    timer.unref();
    this.timers.push(timer);
  }

  stop(): void {
    for (const timer of this.timers.splice(0)) clearInterval(timer);
  }
}
