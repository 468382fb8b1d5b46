/** The load shapes of `bench:nest`, full and `--quick`. */
export const SHAPE_IDS = ['burst', 'paced', 'rss'] as const;
export type ShapeId = (typeof SHAPE_IDS)[number];

export interface Shape {
  id: ShapeId;
  /** What the table's heading says. */
  title: string;
  events: number;
  /** Emits per second, open loop; absent: a burst (every AWAIT_EVERYth emit awaited, the rest fired). */
  ratePerSec?: number;
  /** Events of a burst handled before the measured ones (JIT, topic creation, connections). */
  warmup: number;
  /** The case's child process is killed after this long (start-up included). */
  budgetMs: number;
  /** Waiting for the last events ends after this long without a handler entry (events lost). */
  stallMs: number;
}

export const PAYLOAD_BYTES = 200;
/** A burst (and every warm-up) awaits every this many emits' acknowledgement. */
export const AWAIT_EVERY = 1_000;
export const TENANTS = 16;

export function shapes(quick: boolean): Record<ShapeId, Shape> {
  const scale = quick ? 0.1 : 1;
  const events = (n: number): number => Math.round(n * scale);
  return {
    burst: {
      id: 'burst',
      title: `burst: ${events(50_000).toLocaleString('en-US')} emits of ${PAYLOAD_BYTES} B over ${TENANTS} tenants, every 1,000th awaited; events/s = events / (first emit → last handler entry)`,
      events: events(50_000),
      warmup: events(2_000),
      budgetMs: quick ? 20_000 : 75_000,
      stallMs: quick ? 5_000 : 15_000,
    },
    paced: {
      id: 'paced',
      title: `paced: 5,000 emits/s for ${quick ? 1 : 3} s; latency = emit call → handler entry`,
      events: quick ? 5_000 : 15_000,
      ratePerSec: 5_000,
      warmup: events(2_000),
      budgetMs: quick ? 20_000 : 45_000,
      stallMs: quick ? 5_000 : 15_000,
    },
    rss: {
      id: 'rss',
      title: `memory: a burst of ${events(200_000).toLocaleString('en-US')} emits; RSS peak of the process (aim ≤ 300 MB)`,
      events: events(200_000),
      warmup: events(2_000),
      budgetMs: quick ? 30_000 : 90_000,
      stallMs: quick ? 5_000 : 15_000,
    },
  };
}
