/** Calls `beat` every `intervalMs` (never when 0 or less), ignoring its failures; does not keep Node alive. */
export class Heartbeat {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly intervalMs: number,
    private readonly beat: () => Promise<unknown>,
  ) {}

  start(): void {
    if (this.intervalMs <= 0) return;
    this.stop();
    this.timer = setInterval(() => {
      this.beat().catch(() => undefined);
    }, this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
