/**
 * JSON vs MessagePack (msgpackr) on a typical event payload: a 10-field order.
 * Run: `npm run bench:serializers`. Prints ops/s per direction, encoded size, and MessagePack/JSON ratios.
 */
import { performance } from 'node:perf_hooks';
import { JsonSerializer } from '../lib/events/json-serializer.js';
import { MsgpackSerializer } from '../lib/events/msgpack-serializer.js';
import type { Serializer } from '../lib/events/serializer.js';

const order = {
  orderId: 'ord_01J9Z6G8Q4W2YH3K5M7N9P1R3T',
  customerId: 'cus_4f9a2b7c',
  status: 'CONFIRMED',
  currency: 'EUR',
  totalCents: 129_990,
  itemCount: 3,
  items: [
    { sku: 'SKU-1001', qty: 1, priceCents: 99_990 },
    { sku: 'SKU-2002', qty: 2, priceCents: 15_000 },
  ],
  shippingAddress: { street: '12 Rue de Rivoli', city: 'Paris', zip: '75001', country: 'FR' },
  placedAt: '2025-01-31T12:34:56.789Z',
  express: false,
};

const DURATION_MS = Number(process.env.BENCH_MS ?? 1000);

/** Operations per second of `fn`, after a warm-up, over about DURATION_MS. */
function opsPerSecond(fn: () => unknown): number {
  for (let i = 0; i < 20_000; i++) fn();
  let ops = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < DURATION_MS) {
    for (let i = 0; i < 1000; i++) fn();
    ops += 1000;
    elapsed = performance.now() - start;
  }
  return (ops / elapsed) * 1000;
}

interface Result {
  format: string;
  bytes: number;
  serialize: number;
  deserialize: number;
}

function measure(serializer: Serializer): Result {
  const bytes = serializer.serialize(order);
  return {
    format: serializer.format,
    bytes: bytes.length,
    serialize: opsPerSecond(() => serializer.serialize(order)),
    deserialize: opsPerSecond(() => serializer.deserialize(bytes)),
  };
}

/** Best of `ROUNDS` alternating rounds, so a noisy neighbour hurts both formats alike. */
const ROUNDS = 3;
const best = (a: Result | undefined, b: Result): Result =>
  a
    ? {
        ...b,
        serialize: Math.max(a.serialize, b.serialize),
        deserialize: Math.max(a.deserialize, b.deserialize),
      }
    : b;
let json: Result | undefined;
let msgpack: Result | undefined;
for (let round = 0; round < ROUNDS; round++) {
  json = best(json, measure(new JsonSerializer()));
  msgpack = best(msgpack, measure(new MsgpackSerializer()));
}
const k = (n: number): string => `${(n / 1000).toFixed(0)}k ops/s`;
if (!json || !msgpack) throw new Error('no rounds');
for (const r of [json, msgpack]) {
  console.log(
    `${r.format.padEnd(8)} ${String(r.bytes).padStart(4)} B  serialize ${k(r.serialize)}  deserialize ${k(r.deserialize)}`,
  );
}
console.log(
  `msgpack/json: size ${(msgpack.bytes / json.bytes).toFixed(2)}x, ` +
    `serialize ${(msgpack.serialize / json.serialize).toFixed(2)}x, ` +
    `deserialize ${(msgpack.deserialize / json.deserialize).toFixed(2)}x (speed: >1 = msgpack faster)`,
);
