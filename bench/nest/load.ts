/*
 * The load a case's child process puts on its drive, and what the handler records: the handler of every
 * drive calls `probe.hit(tick.sentAt)` on entry.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { AWAIT_EVERY, PAYLOAD_BYTES, TENANTS, type Shape } from './shapes.js';

export const TICK = 'bench.tick';

/** The event's data: 200 bytes of JSON. */
export interface Tick {
  tenantId: string;
  seq: number;
  /** `performance.now()` at the emit call, in µs precision. */
  sentAt: number;
  pad: string;
}

/** A transport as the bench drives it: `emit` resolves once the transport acknowledged the event. */
export interface Drive {
  emit(tick: Tick): Promise<unknown>;
  stop(): Promise<void>;
}

const TENANT_IDS = Array.from({ length: TENANTS }, (_, i) => `tenant-${i}`);
const PAD = 'x'.repeat(
  PAYLOAD_BYTES - JSON.stringify({ tenantId: 'tenant-10', seq: 10_000, sentAt: 12_345.678, pad: '' }).length,
);

function tick(seq: number): Tick {
  return {
    tenantId: TENANT_IDS[seq % TENANTS]!,
    seq,
    sentAt: Math.round(performance.now() * 1000) / 1000,
    pad: PAD,
  };
}

/** What the handler saw: how many events, when the last arrived, each one's emit → handler latency. */
class Probe {
  handled = 0;
  lastEntryAt = 0;
  private latencies = new Float64Array(0);

  reset(capacity: number): void {
    this.handled = 0;
    this.lastEntryAt = 0;
    this.latencies = new Float64Array(capacity);
  }

  hit(sentAt: number): void {
    const now = performance.now();
    if (this.handled < this.latencies.length) this.latencies[this.handled] = now - sentAt;
    this.handled++;
    this.lastEntryAt = now;
  }

  /** Resolves true once `n` events were handled, false after `stallMs` without a new one. */
  async reach(n: number, stallMs: number): Promise<boolean> {
    let seen = this.handled;
    let since = performance.now();
    while (this.handled < n) {
      await sleep(5);
      if (this.handled !== seen) [seen, since] = [this.handled, performance.now()];
      else if (performance.now() - since > stallMs) return false;
    }
    return true;
  }

  percentile(q: number): number {
    const n = Math.min(this.handled, this.latencies.length);
    if (n === 0) return NaN;
    const sorted = this.latencies.slice(0, n).sort();
    return sorted[Math.min(n - 1, Math.floor(q * n))]!;
  }
}

export const probe = new Probe();

/** What one shape measured in one child. */
export interface LoadResult {
  events: number;
  handled: number;
  /** Emits whose acknowledgement failed. */
  failedEmits: number;
  firstError?: string;
  /** All `events` handled before `stallMs` without progress. */
  complete: boolean;
  /** First emit → last handler entry. */
  durationMs: number;
  perSec: number;
  p50Ms: number;
  p99Ms: number;
}

/** Counts the emits that failed, keeping the first error. */
class Failures {
  count = 0;
  first: string | undefined;
  readonly note = (error: unknown): void => {
    this.count++;
    this.first ??= error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  };
}

/** Fires `events` emits, awaiting every AWAIT_EVERYth (the others' failures are counted). */
async function burst(drive: Drive, events: number, failures: Failures): Promise<void> {
  for (let seq = 0; seq < events; seq++) {
    const acked = drive.emit(tick(seq)).catch(failures.note);
    if ((seq + 1) % AWAIT_EVERY === 0) await acked;
  }
}

/** Emits at `ratePerSec` (open loop): every millisecond timer, the emits that are due. */
async function paced(drive: Drive, events: number, ratePerSec: number, failures: Failures): Promise<void> {
  const start = performance.now();
  let seq = 0;
  while (seq < events) {
    const due = Math.min(events, Math.floor(((performance.now() - start) * ratePerSec) / 1000) + 1);
    for (; seq < due; seq++) void drive.emit(tick(seq)).catch(failures.note);
    await sleep(1);
  }
}

async function load(drive: Drive, shape: Shape, events: number, failures: Failures): Promise<void> {
  if (shape.ratePerSec === undefined) await burst(drive, events, failures);
  else await paced(drive, events, shape.ratePerSec, failures);
}

/** Warms the drive up with a small burst, then runs the shape; `onMeasuring` fires between the two. */
export async function runShape(drive: Drive, shape: Shape, onMeasuring: () => void): Promise<LoadResult> {
  probe.reset(0);
  const warm = new Failures();
  await burst(drive, shape.warmup, warm);
  if (!(await probe.reach(shape.warmup, shape.stallMs))) {
    throw new Error(
      `warm-up: ${probe.handled} of ${shape.warmup} events handled${warm.first ? ` (${warm.first})` : ''}`,
    );
  }
  probe.reset(shape.events);
  onMeasuring();
  const failures = new Failures();
  const start = performance.now();
  await load(drive, shape, shape.events, failures);
  const complete = await probe.reach(shape.events, shape.stallMs);
  const durationMs = probe.lastEntryAt - start;
  return {
    events: shape.events,
    handled: probe.handled,
    failedEmits: failures.count,
    firstError: failures.first,
    complete,
    durationMs,
    perSec: (probe.handled / durationMs) * 1000,
    p50Ms: probe.percentile(0.5),
    p99Ms: probe.percentile(0.99),
  };
}
