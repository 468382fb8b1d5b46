import type { Subscription } from 'rxjs';

/**
 * One request being answered by an `IggyServer`: it ends with its last reply, or is stopped when its
 * requester's deadline passes (nothing more is sent: the requester stopped waiting, and the partition's
 * next messages must not wait behind a stream that never ends) or at shutdown. `finished` resolves then.
 */
export class RequestAnswer {
  readonly finished: Promise<void>;
  private resolve!: () => void;
  private done = false;
  private replies: Subscription | undefined;
  private readonly timer: NodeJS.Timeout | undefined;

  /** `deadline`: the requester's, in ms since the epoch; `onStop`: told why an answer was cut short. */
  constructor(
    deadline: number | undefined,
    private readonly onStop: (why: string) => void,
  ) {
    this.finished = new Promise((resolve) => (this.resolve = resolve));
    if (deadline !== undefined) {
      const ms = Math.max(0, deadline - Date.now());
      this.timer = setTimeout(() => this.stop(`its requester stopped waiting ${ms} ms after it started`), ms);
    }
  }

  get isDone(): boolean {
    return this.done;
  }

  /** The subscription to the handler's replies (let go of at once when the answer ended meanwhile). */
  attach(replies: Subscription): void {
    if (this.done) replies.unsubscribe();
    else this.replies = replies;
  }

  /** The last reply went out. */
  end(): void {
    if (this.done) return;
    this.done = true;
    clearTimeout(this.timer);
    this.replies?.unsubscribe();
    this.resolve();
  }

  /** Cuts the answer short: no more replies go out. */
  stop(why: string): void {
    if (this.done) return;
    this.onStop(why);
    this.end();
  }
}
