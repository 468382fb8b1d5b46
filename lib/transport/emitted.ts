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
  /** The subscriber waiting for the outcome (nearly always the only one: `lastValueFrom`, say). */
  private first: Subscriber<T> | undefined;
  /** Any other subscribers waiting, in order. */
  private others: Subscriber<T>[] | undefined;

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
    if (outcome === undefined) {
      if (this.first === undefined) this.first = subscriber;
      else (this.others ??= []).push(subscriber);
    } else if (outcome.ok) subscriber.complete();
    else subscriber.error(outcome.error);
  }

  private settle(outcome: Outcome<T>): void {
    this.outcome = outcome;
    const { first, others } = this;
    this.first = this.others = undefined;
    if (first === undefined) {
      if (!outcome.ok) this.unobserved?.(outcome.error);
      return;
    }
    tell(first, outcome);
    if (others !== undefined) for (const subscriber of others) tell(subscriber, outcome);
  }
}

function tell<T>(subscriber: Subscriber<T>, outcome: Outcome<T>): void {
  if (!outcome.ok) subscriber.error(outcome.error);
  else {
    subscriber.next(outcome.value);
    subscriber.complete();
  }
}
