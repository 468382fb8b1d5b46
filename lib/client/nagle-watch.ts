/** How late (ms past the connection's fastest answer) an answer held for a delayed ACK comes: Linux's 40 ms timer. */
const STALL_MS = [36, 48] as const;
/** The band just below it, where answers slowed by load land as often as in the stall band. */
const BELOW_MS = [24, 36] as const;
/** Answers per count; the counts start again after each. */
const WINDOW = 1_000;
const MIN_STALLS = 20;

/**
 * Watches a connection's answer times for the mark of Nagle's algorithm on the server (Iggy 0.7 and 0.8
 * leave it on by default): with requests pipelined, an answer written while the one before it is still
 * unacknowledged waits for the client's delayed ACK, so answers come about 40 ms late, in a sharp peak,
 * where load spreads them out. Told once: at least 20 such answers and 1 % of a window, and four times as
 * many as just below the peak. Measured from the fastest answer, so a distant server is no false alarm.
 */
export class NagleWatch {
  private fastest = Infinity;
  private answers = 0;
  private stalls = 0;
  private below = 0;
  private told = false;

  constructor(private readonly tell: (stalls: number, answers: number) => void) {}

  /** Still watching: it has not spoken yet (after that, answer times are of no use to it). */
  get watching(): boolean {
    return !this.told;
  }

  /** An answer came `ms` after its request was written. */
  answered(ms: number): void {
    if (this.told) return;
    if (ms < this.fastest) this.fastest = ms;
    const late = ms - this.fastest;
    this.answers++;
    if (late >= STALL_MS[0] && late < STALL_MS[1]) this.stalls++;
    else if (late >= BELOW_MS[0] && late < BELOW_MS[1]) this.below++;
    if (this.stalls >= MIN_STALLS && this.stalls * 100 >= this.answers && this.stalls >= 4 * this.below) {
      this.told = true;
      this.tell(this.stalls, this.answers);
    } else if (this.answers >= WINDOW) {
      this.answers = this.stalls = this.below = 0;
    }
  }
}

/** Servers already warned about, by address: one warning per server and process, however many connections. */
const warned = new Set<string>();

/** Warns (`process.emitWarning`, once per address) that `address` seems to hold its answers for delayed ACKs. */
export function warnNagleOnServer(address: string, stalls: number, answers: number): void {
  if (warned.has(address)) return;
  warned.add(address);
  process.emitWarning(
    `${stalls} of ${answers} answers from ${address} came about 40 ms late: the server seems to run with ` +
      `Nagle's algorithm on (Iggy's default), which holds an answer until the one before it is acknowledged. ` +
      `Start it with IGGY_TCP_SOCKET_OVERRIDE_DEFAULTS=true IGGY_TCP_SOCKET_NODELAY=true (or set ` +
      `override_defaults and nodelay to true under [tcp.socket] in its config.toml).`,
    { type: 'IggyNagleWarning', code: 'IGGY_SERVER_NAGLE' },
  );
}
