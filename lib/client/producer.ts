import type { OutgoingMessage } from '../protocol/messages/message-batch.js';
import { measureMessages } from '../protocol/messages/message-batch.js';
import type { Identifier } from '../protocol/primitives/identifier.js';
import { messagesKeyBytes, Partitioning, PartitioningKind } from '../protocol/primitives/partitioning.js';
import { IggyClientError } from './errors.js';
import type { IggyClient } from './iggy-client.js';
import { describeError } from '../common/error-text.js';

/** A messages key: strings as UTF-8, numbers as u32 LE, bigints as u64 LE, bytes as given (1..255 bytes). */
export type MessageKey = string | Uint8Array | number | bigint;

/**
 * Where the producer's messages go:
 * - `'balanced'`: the server's round-robin, advanced once per batch;
 * - `{ partitionId }`: one 0-based partition;
 * - `{ key }`: a key per message, hashed by the server (XxHash32 mod partitions); messages with the same
 *   key land in the same partition, in order. Batches are formed **per key**, so many distinct keys mean
 *   many small batches.
 */
export type ProducerPartitioning =
  'balanced' | { partitionId: number } | { key: (message: OutgoingMessage) => MessageKey };

export interface ProducerOptions {
  streamId: Identifier;
  topicId: Identifier;
  /** Default `'balanced'`. */
  partitioning?: ProducerPartitioning;
  /** Most messages in one batch (default 1000). */
  maxBatchSize?: number;
  /** Most encoded bytes in one batch (default 1 MiB); a single larger message goes alone. */
  maxBatchBytes?: number;
  /** How long a batch that is not full waits for more messages (default 5 ms; 0 = only the current tick). */
  lingerMs?: number;
  /** Batches sent and not yet acknowledged (default 4); more wait, in order. */
  maxInFlightBatches?: number;
}

interface Pending {
  message: OutgoingMessage;
  resolve: () => void;
  reject: (error: Error) => void;
}

class Batch {
  readonly entries: Pending[] = [];
  bytes = 0;
  timer: NodeJS.Timeout | undefined;
  private settleDone!: () => void;
  /** Settles (never rejects) once the batch is acknowledged or failed. */
  readonly done = new Promise<void>((resolve) => (this.settleDone = resolve));

  constructor(
    readonly id: string,
    readonly partitioning: Partitioning,
  ) {}

  settle(): void {
    this.settleDone();
  }
}

/**
 * Batches messages into SendMessages requests. `send(message)` resolves when the batch holding the
 * message is acknowledged by the server and rejects with that batch's error otherwise (a failed batch is
 * never re-sent: the server may have appended it). A batch goes out when it reaches `maxBatchSize` or
 * `maxBatchBytes`, or `lingerMs` after its first message. Batches are pipelined on the client's
 * connection up to `maxInFlightBatches`, so order holds per partition.
 */
export class Producer {
  private readonly streamId: Identifier;
  private readonly topicId: Identifier;
  private readonly partitioning: ProducerPartitioning;
  private readonly maxBatchSize: number;
  private readonly maxBatchBytes: number;
  private readonly lingerMs: number;
  private readonly maxInFlightBatches: number;
  private readonly open = new Map<string, Batch>();
  private readonly ready: Batch[] = [];
  /** Batches sealed and not yet settled (ready or in flight). */
  private readonly active = new Set<Batch>();
  private inFlight = 0;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly client: IggyClient,
    options: ProducerOptions,
  ) {
    this.streamId = options.streamId;
    this.topicId = options.topicId;
    this.partitioning = options.partitioning ?? 'balanced';
    this.maxBatchSize = positiveInt('maxBatchSize', options.maxBatchSize ?? 1000);
    this.maxBatchBytes = positiveInt('maxBatchBytes', options.maxBatchBytes ?? 1024 * 1024);
    this.lingerMs = options.lingerMs ?? 5;
    if (!(this.lingerMs >= 0))
      throw new IggyClientError('Config', `lingerMs must be >= 0, got ${this.lingerMs}`);
    this.maxInFlightBatches = positiveInt('maxInFlightBatches', options.maxInFlightBatches ?? 4);
    if (typeof this.partitioning === 'object' && 'partitionId' in this.partitioning) {
      positiveInt('partitionId', this.partitioning.partitionId + 1);
    }
  }

  /** Messages accepted and not yet acknowledged or failed. */
  get pending(): number {
    let n = 0;
    for (const b of this.open.values()) n += b.entries.length;
    for (const b of this.active) n += b.entries.length;
    return n;
  }

  /** Queues one message; resolves when its batch is acknowledged. */
  send(message: OutgoingMessage): Promise<void> {
    if (this.closing) return Promise.reject(new IggyClientError('Closed', 'producer is closed'));
    let bytes: number;
    let target: { id: string; partitioning: Partitioning };
    try {
      bytes = measureMessages([message]).runBytes;
      target = this.route(message);
    } catch (err) {
      const reason = describeError(err);
      return Promise.reject(
        new IggyClientError('Protocol', `invalid message: ${reason}`, {
          cause: err,
          command: 'SendMessages',
        }),
      );
    }
    return new Promise<void>((resolve, reject) => {
      let batch = this.open.get(target.id);
      if (batch && batch.entries.length > 0 && batch.bytes + bytes > this.maxBatchBytes) {
        this.seal(batch);
        batch = undefined;
      }
      if (!batch) {
        batch = new Batch(target.id, target.partitioning);
        this.open.set(target.id, batch);
        const b = batch;
        b.timer = setTimeout(() => this.seal(b), this.lingerMs);
      }
      batch.entries.push({ message, resolve, reject });
      batch.bytes += bytes;
      if (batch.entries.length >= this.maxBatchSize || batch.bytes >= this.maxBatchBytes) this.seal(batch);
    });
  }

  /**
   * Sends every open batch now; resolves when all messages accepted before the call are settled
   * (failures reject their own `send` promises, not `flush`).
   */
  async flush(): Promise<void> {
    for (const batch of [...this.open.values()]) this.seal(batch);
    await Promise.all([...this.active].map((b) => b.done));
  }

  /** Flushes, then refuses further sends. Idempotent. Does not close the client. */
  close(): Promise<void> {
    this.closing ??= this.flush();
    return this.closing;
  }

  private route(message: OutgoingMessage): { id: string; partitioning: Partitioning } {
    const p = this.partitioning;
    if (p === 'balanced') return { id: 'balanced', partitioning: Partitioning.balanced() };
    if ('partitionId' in p)
      return { id: `p${p.partitionId}`, partitioning: Partitioning.partitionId(p.partitionId) };
    const key = messagesKeyBytes(p.key(message));
    if (key.length === 0 || key.length > 255)
      throw new Error(`messages key must be 1..255 bytes, got ${key.length}`);
    return { id: `k${key.toString('hex')}`, partitioning: { kind: PartitioningKind.MessagesKey, key } };
  }

  private seal(batch: Batch): void {
    if (this.open.get(batch.id) !== batch) return;
    clearTimeout(batch.timer);
    this.open.delete(batch.id);
    this.ready.push(batch);
    this.active.add(batch);
    this.drain();
  }

  private drain(): void {
    while (this.inFlight < this.maxInFlightBatches && this.ready.length > 0) {
      const batch = this.ready.shift()!;
      this.inFlight++;
      this.client
        .sendMessages({
          streamId: this.streamId,
          topicId: this.topicId,
          partitioning: batch.partitioning,
          messages: batch.entries.map((e) => e.message),
        })
        .then(
          () => batch.entries.forEach((e) => e.resolve()),
          (err: Error) => batch.entries.forEach((e) => e.reject(err)),
        )
        .finally(() => {
          this.inFlight--;
          this.active.delete(batch);
          batch.settle();
          this.drain();
        });
    }
  }
}

function positiveInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1)
    throw new IggyClientError('Config', `${name} must be a positive integer, got ${value}`);
  return value;
}
