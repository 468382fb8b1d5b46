import { IggyClient } from '../../lib/client/index.js';
import { ConsumerKind } from '../../lib/protocol/primitives/consumer.js';
import { PollingStrategy } from '../../lib/protocol/primitives/polling-strategy.js';

/**
 * The fault suite runs in full on demand (`npm run test:faults`) and smaller in CI
 * (`FAULT_SUITE=ci`): fewer trials, shorter runs. Every case prints its counts.
 */
export const FULL = process.env.FAULT_SUITE !== 'ci';

/** What a fault case counts: messages acknowledged to producers, delivered after the fault, lost, duplicated. */
export interface FaultCounts {
  acknowledged: number;
  delivered: number;
  lost: number;
  duplicated: number;
  [extra: string]: number | string;
}

/** Prints one line of counts (outside Jest's console capture, so it shows in CI logs as it is). */
export function report(name: string, counts: FaultCounts): void {
  const fields = Object.entries(counts)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  process.stdout.write(`FAULT ${name}: ${fields}\n`);
}

/** Counts `delivered` against `acknowledged`: lost = acknowledged never delivered, duplicated = extra copies. */
export function count(acknowledged: Iterable<string>, delivered: readonly string[]): FaultCounts {
  const seen = new Map<string, number>();
  for (const id of delivered) seen.set(id, (seen.get(id) ?? 0) + 1);
  const acked = new Set(acknowledged);
  let lost = 0;
  for (const id of acked) if (!seen.has(id)) lost++;
  let duplicated = 0;
  for (const n of seen.values()) duplicated += n - 1;
  return { acknowledged: acked.size, delivered: seen.size, lost, duplicated };
}

export const ROOT = { username: 'iggy', password: 'iggy' } as const;

/** A client of the broker at `port`, logged in as root, no reconnection (a fault ends its life). */
export async function rootClient(port: number): Promise<IggyClient> {
  const client = new IggyClient({
    addresses: [`127.0.0.1:${port}`],
    credentials: ROOT,
    reconnect: false,
    requestTimeoutMs: 10_000,
  });
  await client.connect();
  return client;
}

/** Every payload (as text) of a partition, from offset 0 to its end. */
export async function readPartition(
  client: IggyClient,
  streamId: string,
  topicId: string,
  partitionId: number,
): Promise<string[]> {
  const out: string[] = [];
  let offset = 0n;
  for (;;) {
    const polled = await client.pollMessages({
      streamId,
      topicId,
      consumer: { kind: ConsumerKind.Consumer, id: 1 },
      partitionId,
      strategy: PollingStrategy.offset(offset),
      count: 1000,
      autoCommit: false,
    });
    if (polled.messages.length === 0) return out;
    for (const m of polled.messages) out.push(m.payload.toString('utf8'));
    offset = polled.messages[polled.messages.length - 1]!.offset + 1n;
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
