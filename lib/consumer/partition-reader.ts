import { randomUUID } from 'node:crypto';
import type { IggyConnector, PartitionInfo } from '../connectors/iggy-connector.js';
import type { MessageSubscriber, ReceivedMessage } from '../connectors/message-subscriber.js';

/** Where reading a partition starts. Timestamps are µs since the epoch. */
export type ReadFrom = 'beginning' | { offset: bigint } | { timestamp: bigint };

export interface PartitionReadOptions {
  from: ReadFrom;
  /** Last offset to read (inclusive): the partition's current offset captured before reading. */
  end: bigint;
  /** Prefix of the throwaway single-consumer name (it never commits, so it leaves no offsets behind). */
  consumerPrefix: string;
  batchSize?: number;
  /** Give up when no message arrives for this long (the range shrank under us: retention, purge). Default 5 s. */
  idleTimeoutMs?: number;
  signal?: AbortSignal;
}

/** A fresh consumer name that nothing else uses. */
export function throwawayConsumerName(prefix: string): string {
  return `${prefix}-${randomUUID()}`;
}

/**
 * Reads one partition from `from` up to `end` (inclusive) with a single-consumer subscription under a
 * throwaway name; ends there, so it terminates even while producers keep appending.
 */
export async function* readPartition(
  connector: IggyConnector,
  stream: string,
  topic: string,
  partition: PartitionInfo,
  options: PartitionReadOptions,
): AsyncGenerator<ReceivedMessage, void, undefined> {
  if (partition.currentOffset === null || options.end < 0n) return;
  const from = options.from;
  if (typeof from === 'object' && 'offset' in from && from.offset > options.end) return;
  if (typeof from === 'object' && 'timestamp' in from) {
    const last = await readOne(connector, stream, topic, partition.id, { offset: options.end }, options);
    if (!last || last.timestamp < from.timestamp) return;
  }
  const subscription = await connector.subscribe(stream, topic, partition.id, {
    startFrom: from,
    consumerName: throwawayConsumerName(options.consumerPrefix),
    batchSize: options.batchSize ?? 500,
    pollIntervalMs: 10,
  });
  try {
    while (!options.signal?.aborted) {
      const message = await recvWithin(subscription, options.idleTimeoutMs ?? 5_000, options.signal);
      if (!message || message.offset > options.end) return;
      yield message;
      if (message.offset >= options.end) return;
    }
  } finally {
    await subscription.close();
  }
}

async function readOne(
  connector: IggyConnector,
  stream: string,
  topic: string,
  partition: number,
  from: ReadFrom,
  options: PartitionReadOptions,
): Promise<ReceivedMessage | null> {
  const subscription = await connector.subscribe(stream, topic, partition, {
    startFrom: from,
    consumerName: throwawayConsumerName(options.consumerPrefix),
    batchSize: 1,
    pollIntervalMs: 10,
  });
  try {
    return await recvWithin(subscription, options.idleTimeoutMs ?? 5_000, options.signal);
  } finally {
    await subscription.close();
  }
}

/** The next message, or null after `ms` without one (or on abort). */
async function recvWithin(
  subscription: MessageSubscriber,
  ms: number,
  signal: AbortSignal | undefined,
): Promise<ReceivedMessage | null> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const stop = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), ms);
    onAbort = () => resolve(null);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([subscription.recv(), stop]);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  }
}
