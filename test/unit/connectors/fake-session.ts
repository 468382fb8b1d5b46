import type { PolledMessage } from '../../../lib/protocol/messages/message-batch.js';
import type { Consumer } from '../../../lib/protocol/primitives/consumer.js';
import { PollingKind, type PollingStrategy } from '../../../lib/protocol/primitives/polling-strategy.js';
import type { SubscriptionSession } from '../../../lib/connectors/connector-session.js';
import type {
  ConsumerGroupDetails,
  ConsumerGroupMember,
  GroupTarget,
} from '../../../lib/protocol/commands/consumer-groups/index.js';
import type { StoreOffsetInput, PollInput, DecodedPollResult } from '../../../lib/protocol/iggy-session.js';
import type { PolledRun } from '../../../lib/protocol/commands/messages/index.js';
import { dataViewOf } from '../../../lib/protocol/messages/buffer-view.js';
import { MessageLayout } from '../../../lib/protocol/messages/message-layout.js';
import { MessageRun } from '../../../lib/protocol/messages/message-run.js';

/** One recorded poll. */
export interface PollCall {
  consumer: Consumer;
  partitionId: number | null;
  strategy: PollingStrategy;
  count: number;
}

export function message(offset: bigint, text = `m${offset}`, id = offset + 1000n): PolledMessage {
  return {
    checksum: 0n,
    id,
    offset,
    timestamp: 1n,
    originTimestamp: 1n,
    headers: [],
    payload: Buffer.from(text),
  };
}

/**
 * An in-memory stand-in for a subscription's session: partitions of messages, stored offsets per
 * consumer id, group rotation over `owned` partitions, and hooks to inject failures.
 */
export class FakeSession implements SubscriptionSession {
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
  /** The group's members as GetConsumerGroup lists them, and how often it was read. */
  members: ConsumerGroupMember[] = [];
  groupReads = 0;
  private rotation = 0;

  constructor(readonly partitions: PolledMessage[][]) {
    this.owned = partitions.map((_, i) => i);
  }

  append(partition: number, count: number): void {
    const log = this.partitions[partition]!;
    for (let i = 0; i < count; i++) log.push(message(BigInt(log.length)));
  }

  async pollMessages(request: PollInput): Promise<DecodedPollResult> {
    const { consumer, strategy, count } = request;
    const partitionId = request.partitionId ?? null;
    this.polls.push({ consumer, partitionId, strategy, count });
    const failure = this.failures.shift();
    if (failure) throw failure;
    let pid = partitionId;
    if (pid === null) {
      if (this.owned.length === 0) return { partitionId: 0, currentOffset: 0n, messages: [] };
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
        if (start < 0n) return { partitionId: pid, currentOffset: 0n, messages: [] };
        break;
      default:
        start = BigInt(Math.max(0, log.length - count));
    }
    const messages = log.slice(Number(start), Number(start) + count);
    return { partitionId: pid, currentOffset: BigInt(log.length - 1), messages };
  }

  /** `pollMessages`' messages as the bytes a server sends, with their offsets and timestamps. */
  async pollMessagesRun(request: PollInput): Promise<PolledRun> {
    const { partitionId, currentOffset, messages } = await this.pollMessages(request);
    const run = MessageRun.encode(messages);
    const view = dataViewOf(run.bytes);
    let at = 0;
    run.ends().forEach((end, i) => {
      view.setBigUint64(at + MessageLayout.offset, messages[i]!.offset, true);
      view.setBigUint64(at + MessageLayout.timestamp, messages[i]!.timestamp, true);
      at = end;
    });
    return { partitionId, currentOffset, messages: run };
  }

  async storeOffset(request: StoreOffsetInput): Promise<void> {
    const failure = this.storeFailures.shift();
    if (failure) throw failure;
    this.stored.set(`${String(request.consumer.id)}/${request.partitionId}`, request.offset);
  }

  /** Every group exists, with `members`. */
  async getConsumerGroup(request: GroupTarget): Promise<ConsumerGroupDetails> {
    this.groupReads++;
    const members = this.members.map((m) => ({ ...m, partitions: [...m.partitions] }));
    const partitionsCount = this.partitions.length;
    return { id: 0, name: String(request.groupId), partitionsCount, membersCount: members.length, members };
  }

  async createConsumerGroup(request: { name: string }): Promise<ConsumerGroupDetails> {
    return { id: 0, name: request.name, partitionsCount: 0, membersCount: 0, members: [] };
  }

  async joinConsumerGroup(request: GroupTarget): Promise<void> {
    this.joins.push(String(request.groupId));
  }

  async leaveConsumerGroup(request: GroupTarget): Promise<void> {
    this.leaves.push(String(request.groupId));
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  isTransient(err: unknown): boolean {
    return err instanceof Error && err.message === 'transient';
  }
}

/**
 * A `FakeSession` with the in-process capabilities of the embedded broker: the append signal
 * (`onAppend`) and the member's partitions (`pollablePartitions`: `owned`, or none while `member` is false).
 */
export class SignallingSession extends FakeSession {
  private readonly listeners = new Set<(partitionId: number) => void>();
  member = true;

  get watchers(): number {
    return this.listeners.size;
  }

  override append(partition: number, count: number): void {
    super.append(partition, count);
    for (const listener of [...this.listeners]) listener(partition);
  }

  onAppend(_target: unknown, listener: (partitionId: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  pollablePartitions(): readonly number[] | undefined {
    return this.member ? [...this.owned] : undefined;
  }

  override async joinConsumerGroup(request: GroupTarget): Promise<void> {
    await super.joinConsumerGroup(request);
    this.member = true;
  }
}
