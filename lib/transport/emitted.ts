import { Observable, type Subscriber, type TeardownLogic } from 'rxjs';

type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** `Observable`'s subscribe function, shared: rxjs calls it with the observable as `this`. */
function tellOutcome<T>(this: Observable<T>, subscriber: Subscriber<T>): TeardownLogic {
  (this as Emitted<T>).attach(subscriber);
}

/**
 * What `IggyClientProxy.emit` returns: hot (the event is published whether anyone subscribes or not),
 * it tells each subscriber the publish's outcome: its value then completion, or its error. A subscriber
 * that comes after the outcome sees only the completion or the error, as with Nest's own `emit` (a
 * connected `Subject`). One object per event, where a Subject, its observable view and their
 * subscriptions made several.
 */
export class Emitted<T> extends Observable<T> {
  private outcome: Outcome<T> | undefined;
  private waiting: Subscriber<T>[] | undefined;

  /** `unobserved`: told of a failure that no subscriber was there to see (a fire-and-forget emit). */
  constructor(
    published: Promise<T>,
    private readonly unobserved?: (error: unknown) => void,
  ) {
    super(tellOutcome);
    published.then(
      (value) => this.settle({ ok: true, value }),
      (error: unknown) => this.settle({ ok: false, error }),
    );
  }

  /** Tells `subscriber` the outcome when there is one, else once it comes (a closed subscriber ignores it). */
  attach(subscriber: Subscriber<T>): void {
    const outcome = this.outcome;
    if (outcome === undefined) (this.waiting ??= []).push(subscriber);
    else if (outcome.ok) subscriber.complete();
    else subscriber.error(outcome.error);
  }

  private settle(outcome: Outcome<T>): void {
    this.outcome = outcome;
    const waiting = this.waiting;
    this.waiting = undefined;
    if (waiting === undefined) {
      if (!outcome.ok) this.unobserved?.(outcome.error);
      return;
    }
    for (const subscriber of waiting) {
      if (!outcome.ok) subscriber.error(outcome.error);
      else {
        subscriber.next(outcome.value);
        subscriber.complete();
      }
    }
  }
}
