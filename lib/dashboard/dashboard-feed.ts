import { DashboardModel } from './dashboard-model.js';
import type { DashboardSource } from './dashboard-reading.js';

/** One subscriber of the feed: gets each snapshot as JSON text, or the reason a read failed. */
export interface FeedListener {
  snapshot(json: string): void;
  problem(error: string): void;
}

/**
 * The snapshots of one source, read at most once per `intervalMs` however many pages watch: a timer
 * runs while someone is subscribed and pushes each reading to every subscriber; a plain request gets
 * the last one while it is fresh.
 */
export class DashboardFeed {
  private model = new DashboardModel();
  private readonly listeners = new Set<FeedListener>();
  private timer: NodeJS.Timeout | undefined;
  private last: { at: number; json: Promise<string> } | undefined;

  constructor(
    private source: DashboardSource,
    readonly intervalMs = 1_000,
  ) {}

  /** Reads from `source` from now on (rates start over); returns the source it read from until now. */
  useSource(source: DashboardSource): DashboardSource {
    const previous = this.source;
    this.source = source;
    this.model = new DashboardModel();
    this.last = undefined;
    return previous;
  }

  /** The current snapshot as JSON: the last one while younger than half the interval, else a new reading. */
  current(): Promise<string> {
    const now = Date.now();
    if (this.last && now - this.last.at < this.intervalMs / 2) return this.last.json;
    const json = this.read();
    this.last = { at: now, json };
    // A failed reading is not kept: the next request tries again.
    json.catch(() => {
      if (this.last?.json === json) this.last = undefined;
    });
    return json;
  }

  /** Sends the current snapshot to `listener` now and every interval after, until the returned function is called. */
  subscribe(listener: FeedListener): () => void {
    this.listeners.add(listener);
    this.deliver([listener]);
    if (!this.timer) {
      this.timer = setInterval(() => this.deliver([...this.listeners]), this.intervalMs);
      this.timer.unref();
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  }

  /** Stops the timer and forgets every subscriber. */
  close(): void {
    this.listeners.clear();
    this.stop();
  }

  private stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private async read(): Promise<string> {
    const model = this.model;
    const reading = await this.source.read();
    return JSON.stringify(model.snapshot(reading));
  }

  private deliver(to: FeedListener[]): void {
    this.current().then(
      (json) => {
        for (const listener of to) listener.snapshot(json);
      },
      (error: unknown) => {
        const text = error instanceof Error ? error.message : String(error);
        for (const listener of to) listener.problem(text);
      },
    );
  }
}
