import type { StorageLogger } from './storage-logger.js';

/**
 * The periodic fsyncs of the process, one at a time. Every partition log and offsets journal has its own
 * timer, so they come due together; run at once they would hold all of libuv's threads (4 by default) for
 * the length of the slowest fsync, and every write queued behind them would wait as long.
 */
let syncLane: Promise<unknown> = Promise.resolve();

function inSyncLane(sync: () => Promise<void>): Promise<void> {
  const run = syncLane.then(sync);
  syncLane = run.catch(() => undefined);
  return run;
}

/**
 * fsync mode `interval`: every `ms`, fsyncs what was written since the last fsync (`written` marks it),
 * in the process's sync lane. A failed fsync is logged and tried again on the next tick.
 */
export class PeriodicSync {
  private dirty = false;
  private syncing: Promise<void> | null = null;
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(
    ms: number,
    private readonly sync: () => Promise<void>,
    private readonly logger: StorageLogger,
  ) {
    this.timer = setInterval(() => this.tick(), ms);
    this.timer.unref();
  }

  /** Something was written that the next tick must fsync. */
  written(): void {
    this.dirty = true;
  }

  /** Everything written so far is being fsynced by the caller: the next tick need not. */
  synced(): void {
    this.dirty = false;
  }

  /** Stops the timer; resolves once an fsync under way is done. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.syncing;
  }

  private tick(): void {
    if (!this.dirty || this.syncing) return;
    this.dirty = false;
    this.syncing = inSyncLane(this.sync)
      .catch((error: unknown) => {
        this.dirty = true;
        this.logger.warn('periodic fsync failed', { error: String(error) });
      })
      .finally(() => (this.syncing = null));
  }
}
