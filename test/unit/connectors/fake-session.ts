import type { PolledMessage } from '../../../lib/protocol/messages/message-batch.js';
import type { Consumer } from '../../../lib/protocol/primitives/consumer.js';
import { PollingKind, type PollingStrategy } from '../../../lib/protocol/primitives/polling-strategy.js';
import type { PolledBatch, PollSource } from '../../../lib/connectors/poll-source.js';

/** One recorded poll. */
export interface PollCall {
  consumer: Consumer;
  partitionId: number | null;
  strategy: PollingStrategy;
  count: number;
}

export function message(offset: bigint, text = `m${offset}`): PolledMessage {
  return {
    checksum: 0n,
    id: offset + 1000n,
    offset,
    timestamp: 1n,
    originTimestamp: 1n,
    headers: [],
    payload: Buffer.from(text),
  };
}

/**
 * An in-memory stand-in for a broker session: partitions of messages, stored offsets per consumer id,
 * group rotation over `owned` partitions, and hooks to inject failures.
 */
export class FakePollSource implements PollSource {
  epoch = 0;
  readonly polls: PollCall[] = [];
  readonly stored = new Map<string, bigint>();
  readonly joins: string[] = [];
  readonly leaves: string[] = [];
  closed = false;
  /** Thrown (once each) by the next polls. */
  failures: unknown[] = [];
  /** Thrown (once each) by the next storeOffset calls. */
  storeFailures: unknown[] = [];
  owned: number[];
  private rotation = 0;

  constructor(readonly partitions: PolledMessage[][]) {
    this.owned = partitions.map((_, i) => i);
  }

  append(partition: number, count: number): void {
    const log = this.partitions[partition]!;
    for (let i = 0; i < count; i++) log.push(message(BigInt(log.length)));
  }

  async poll(
    consumer: Consumer,
    partitionId: number | null,
    strategy: PollingStrategy,
    count: number,
  ): Promise<PolledBatch> {
    this.polls.push({ consumer, partitionId, strategy, count });
    const failure = this.failures.shift();
    if (failure) throw failure;
    let pid = partitionId;
    if (pid === null) {
      if (this.owned.length === 0) return { partitionId: 0, messages: [] };
      pid = this.owned[this.rotation++ % this.owned.length]!;
    }
    const log = this.partitions[pid] ?? [];
    const stored = this.stored.get(`${String(consumer.id)}/${pid}`);
    let start: bigint;
    switch (strategy.kind) {
      case PollingKind.Offset:
        start = strategy.value;
        break;
      case PollingKind.Next:
        start = stored === undefined ? 0n : stored + 1n;
        break;
      case PollingKind.First:
        start = 0n;
        break;
      case PollingKind.Timestamp:
        start = BigInt(log.findIndex((m) => m.timestamp >= strategy.value));
        if (start < 0n) return { partitionId: pid, messages: [] };
        break;
      default:
        start = BigInt(Math.max(0, log.length - count));
    }
    return { partitionId: pid, messages: log.slice(Number(start), Number(start) + count) };
  }

  async storeOffset(consumer: Consumer, partitionId: number, offset: bigint): Promise<void> {
    const failure = this.storeFailures.shift();
    if (failure) throw failure;
    this.stored.set(`${String(consumer.id)}/${partitionId}`, offset);
  }

  async joinGroup(group: string): Promise<void> {
    this.joins.push(group);
  }

  async leaveGroup(group: string): Promise<void> {
    this.leaves.push(group);
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  isTransient(err: unknown): boolean {
    return err instanceof Error && err.message === 'transient';
  }
}

/** A `FakePollSource` with the in-process append signal of the embedded broker (`watchAppends`). */
export class SignallingPollSource extends FakePollSource {
  private readonly listeners = new Set<{ partitionId: number | null; listener: () => void }>();

  get watchers(): number {
    return this.listeners.size;
  }

  override append(partition: number, count: number): void {
    super.append(partition, count);
    for (const w of [...this.listeners])
      if (w.partitionId === null || w.partitionId === partition) w.listener();
  }

  watchAppends(partitionId: number | null, listener: () => void): () => void {
    const entry = { partitionId, listener };
    this.listeners.add(entry);
    return () => this.listeners.delete(entry);
  }
}
