import { ConnectorError } from './connector-error.js';

/** Messages and encoded bytes, as the budget counts them. */
export interface PublishCost {
  messages: number;
  bytes: number;
}

export interface PublishBudgetLimits {
  maxInFlightMessages: number;
  maxInFlightBytes: number;
  /** Most messages and bytes waiting for room; a publish beyond them fails at once. */
  maxWaitingMessages: number;
  maxWaitingBytes: number;
  /** How long `acquire` waits for room (0 = not at all). */
  timeoutMs: number;
}

interface Waiter {
  cost: PublishCost;
  deadline: number;
  admit: () => void;
  fail: (error: ConnectorError) => void;
}

/**
 * The cap on what the publish path holds: messages and bytes accepted and not yet acknowledged.
 * `acquire` takes room or waits for it, strictly in call order (a small publish never overtakes a big
 * one waiting: they may share a partition key), and fails with `ConnectorError('Backpressure')` after
 * `timeoutMs`, or at once when the waiting publishes already hold `maxWaitingMessages`/`maxWaitingBytes`
 * (one waits whatever its size). A publish larger than the whole cap is let through once nothing else is in flight.
 * Waiters share one timer, armed for the oldest: deadlines grow in call order.
 */
export class PublishBudget {
  private messages = 0;
  private bytes = 0;
  private readonly waiters: Waiter[] = [];
  private head = 0;
  private waitingMessages = 0;
  private waitingBytes = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly limits: PublishBudgetLimits) {}

  /** Messages accepted and not yet released. */
  get inFlightMessages(): number {
    return this.messages;
  }

  get inFlightBytes(): number {
    return this.bytes;
  }

  /** Publishes waiting for room. */
  get waiting(): number {
    return this.waiters.length - this.head;
  }

  /**
   * Takes room for `cost` and calls `admit`, at once when there is room and nobody waits, else later in
   * call order; or calls `fail` with `Backpressure` once the wait is over. Returns whether it was admitted
   * at once.
   */
  acquire(cost: PublishCost, admit: () => void, fail: (error: ConnectorError) => void): boolean {
    if (this.waiting === 0 && this.fits(cost)) {
      this.take(cost);
      admit();
      return true;
    }
    if (this.limits.timeoutMs <= 0) {
      fail(this.full(cost, 0));
      return false;
    }
    if (this.waiting > 0 && !this.mayWait(cost)) {
      fail(this.queueFull(cost));
      return false;
    }
    this.waitingMessages += cost.messages;
    this.waitingBytes += cost.bytes;
    this.waiters.push({ cost, deadline: Date.now() + this.limits.timeoutMs, admit, fail });
    if (this.waiting === 1) this.arm();
    return false;
  }

  /** Gives back what an acknowledged (or failed) publish held; admits the waiters that now fit. */
  release(cost: PublishCost): void {
    this.messages -= cost.messages;
    this.bytes -= cost.bytes;
    while (this.waiting > 0) {
      const next = this.waiters[this.head]!;
      if (!this.fits(next.cost)) break;
      this.shift();
      this.take(next.cost);
      next.admit();
    }
    if (this.waiting === 0) this.disarm();
  }

  /** Fails every waiter with `error` (shutdown). */
  rejectWaiting(error: ConnectorError): void {
    this.disarm();
    while (this.waiting > 0) this.shift().fail(error);
  }

  private fits(cost: PublishCost): boolean {
    if (this.messages === 0) return true;
    return (
      this.messages + cost.messages <= this.limits.maxInFlightMessages &&
      this.bytes + cost.bytes <= this.limits.maxInFlightBytes
    );
  }

  private take(cost: PublishCost): void {
    this.messages += cost.messages;
    this.bytes += cost.bytes;
  }

  private mayWait(cost: PublishCost): boolean {
    return (
      this.waitingMessages + cost.messages <= this.limits.maxWaitingMessages &&
      this.waitingBytes + cost.bytes <= this.limits.maxWaitingBytes
    );
  }

  private shift(): Waiter {
    const waiter = this.waiters[this.head++]!;
    this.waitingMessages -= waiter.cost.messages;
    this.waitingBytes -= waiter.cost.bytes;
    if (this.head > 1024 && this.head * 2 > this.waiters.length) {
      this.waiters.splice(0, this.head);
      this.head = 0;
    }
    return waiter;
  }

  /** One timer, for the oldest waiter's deadline; when it fires, every waiter past its deadline fails. */
  private arm(): void {
    this.disarm();
    const first = this.waiters[this.head];
    if (!first) return;
    this.timer = setTimeout(() => this.expire(), Math.max(0, first.deadline - Date.now()));
  }

  private disarm(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private expire(): void {
    this.timer = undefined;
    const now = Date.now();
    while (this.waiting > 0 && this.waiters[this.head]!.deadline <= now) {
      const waiter = this.shift();
      waiter.fail(this.full(waiter.cost, this.limits.timeoutMs));
    }
    // The publishes behind the failed ones may fit now.
    this.release({ messages: 0, bytes: 0 });
    if (this.waiting > 0) this.arm();
  }

  private full(cost: PublishCost, waitedMs: number): ConnectorError {
    const { maxInFlightMessages, maxInFlightBytes } = this.limits;
    return new ConnectorError(
      'Backpressure',
      `publish of ${cost.messages} message(s) (${cost.bytes} B) found no room ` +
        `${waitedMs > 0 ? `within ${waitedMs} ms` : 'and may not wait (publish.backpressureTimeoutMs is 0)'}: ` +
        `${this.messages} message(s), ${this.bytes} B in flight ` +
        `(publish.maxInFlightMessages ${maxInFlightMessages}, publish.maxInFlightBytes ${maxInFlightBytes})`,
    );
  }

  private queueFull(cost: PublishCost): ConnectorError {
    const { maxWaitingMessages, maxWaitingBytes } = this.limits;
    return new ConnectorError(
      'Backpressure',
      `publish of ${cost.messages} message(s) (${cost.bytes} B) found no room and no place to wait: ` +
        `${this.waitingMessages} message(s), ${this.waitingBytes} B wait already ` +
        `(publish.maxWaitingMessages ${maxWaitingMessages}, publish.maxWaitingBytes ${maxWaitingBytes})`,
    );
  }
}
