/** How failed logins are throttled per client address. */
export interface LoginThrottleOptions {
  /** Failed logins from one address allowed within `windowMs` before it is blocked. Default 5. */
  maxFailures: number;
  /** Default 60 s. */
  windowMs: number;
  /** First block; each further failure while blocked-then-released doubles it, up to `maxBlockMs`. Default 1 s. */
  blockMs: number;
  /** Default 5 min. */
  maxBlockMs: number;
}

export const LoginThrottleDefaults: LoginThrottleOptions = {
  maxFailures: 5,
  windowMs: 60_000,
  blockMs: 1_000,
  maxBlockMs: 5 * 60_000,
};

/** Addresses remembered at most (the oldest are forgotten first), so a scan of many cannot grow memory. */
const MAX_ADDRESSES = 10_000;

interface Record {
  failures: number;
  windowStart: number;
  blockedUntil: number;
  nextBlockMs: number;
}

/**
 * Failed logins per client address (the IP, not the port): past `maxFailures` within `windowMs`, the
 * address is blocked for `blockMs`, doubled at each further failure up to `maxBlockMs`. While blocked, a
 * login is refused without checking the credentials (no Argon2 work for a guesser). A success clears
 * the address. The real server has no such throttle.
 */
export class LoginThrottle {
  private readonly records = new Map<string, Record>();
  private readonly options: LoginThrottleOptions;

  constructor(
    options: Partial<LoginThrottleOptions> = {},
    private readonly now: () => number = Date.now,
  ) {
    this.options = { ...LoginThrottleDefaults, ...options };
  }

  /** Milliseconds `address` must still wait before a login is checked; 0 when it may try now. */
  retryAfterMs(address: string): number {
    const record = this.records.get(address);
    return record ? Math.max(0, record.blockedUntil - this.now()) : 0;
  }

  failed(address: string): void {
    const now = this.now();
    let record = this.records.get(address);
    if (!record || now - record.windowStart > this.options.windowMs) {
      record = {
        failures: 0,
        windowStart: now,
        blockedUntil: 0,
        nextBlockMs: record?.nextBlockMs ?? this.options.blockMs,
      };
    }
    record.failures++;
    if (record.failures > this.options.maxFailures) {
      record.blockedUntil = now + record.nextBlockMs;
      record.nextBlockMs = Math.min(record.nextBlockMs * 2, this.options.maxBlockMs);
    }
    this.records.delete(address);
    this.records.set(address, record);
    if (this.records.size > MAX_ADDRESSES) this.records.delete(this.records.keys().next().value!);
  }

  succeeded(address: string): void {
    this.records.delete(address);
  }
}

/** The address part of `ip:port`, `[v6]:port` or a bare host, for per-address throttling. */
export function hostOf(address: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(address);
  if (bracketed) return bracketed[1]!;
  const colons = address.split(':').length - 1;
  return colons === 1 ? address.slice(0, address.lastIndexOf(':')) : address;
}
