import { isPending, type MaybePromise } from '../common/maybe-promise.js';
import { IggyErrorCode } from '../protocol/codes/error-codes.js';
import { MessageRun } from '../protocol/messages/message-run.js';
import { checkPublishConfig } from './check-publish-config.js';
import type { PublishConfig } from './connector-config.js';
import { ConnectorError } from './connector-error.js';
import { errorCodeOf, toConnectorError } from './connector-error-mapping.js';
import { PublishBudget, type PublishCost } from './publish-budget.js';
import { PublishCall, type PendingPublish } from './publish-call.js';
import {
  partitionBatches,
  preparePublishes,
  type PartitionBatch,
  type PublishDefaults,
} from './publish-grouping.js';
import type { PublishRequest } from './publish-request.js';
import { TopicQueue } from './topic-queue.js';

/** How long a topic's partition count is trusted before it is asked for again. */
export const PARTITIONS_TTL_MS = 5_000;

/** Send failures after which a topic's partition count is asked for again at its next flush. */
const TOPIC_CHANGED: ReadonlySet<number> = new Set([
  IggyErrorCode.PartitionNotFound,
  IggyErrorCode.TopicIdNotFound,
  IggyErrorCode.TopicNameNotFound,
  IggyErrorCode.StreamIdNotFound,
  IggyErrorCode.StreamNameNotFound,
]);

/**
 * Lone publishes sent at once within one turn of the event loop. A broker in process acknowledges
 * without I/O, so a loop of awaited emits would run on promise jobs alone and starve every timer and
 * socket of the process; past this many, a lone publish waits for the next turn like any other.
 */
const AT_ONCE_PER_TURN = 64;

/** What a connector gives the batcher: topic metadata and a way to send one batch. */
export interface PublishSink {
  /** Partitions of the topic, `null` when it does not exist; now or later. */
  partitionsCount(stream: string, topic: string): number | null | Promise<number | null>;
  /**
   * Sends one batch to one partition. Must start it before returning (write it, or queue it in order),
   * so batches reach a partition in the order they are handed over.
   */
  sendBatch(stream: string, topic: string, partition: number, run: MessageRun): Promise<void>;
}

/** One batch the publish path sent to one partition, acknowledged or failed. */
export interface SentBatch {
  stream: string;
  topic: string;
  messages: number;
  bytes: number;
  /** From the send until the broker answered. */
  seconds: number;
  error: Error | undefined;
}

/** Told of every batch sent (the module's metrics); must not throw. */
export type PublishBatchObserver = (batch: SentBatch) => void;

/**
 * The one publish path of both connectors. Publishes are checked and measured at the call, admitted
 * under the in-flight caps (`PublishBudget`: waits, in call order, or `Backpressure`), queued per topic,
 * and flushed once per tick (or after `lingerMs`; at once when nothing else is in flight and there is no
 * linger, so a lone publish pays no wait): each topic's messages go out as one batch per
 * partition (cut at `maxBatchMessages`/`maxBatchBytes`), encoded once, in call order, so the order per
 * partition key holds across publishes and batches, also while earlier batches are in flight. Every
 * publish settles when its batches do: acknowledged, or failed with its batch's error (a failed batch is
 * not re-sent: the broker may have appended it).
 */
export class PublishBatcher {
  private readonly budget: PublishBudget;
  private readonly queues = new Map<string, Map<string, TopicQueue>>();
  private queued = 0;
  private scheduled = false;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private idle: (() => void)[] = [];
  /** Lone publishes sent at once in this turn of the event loop. */
  private sentAtOnce = 0;
  /** Told of every batch sent; none by default. */
  observer: PublishBatchObserver | undefined;

  constructor(
    private readonly sink: PublishSink,
    private readonly config: PublishConfig,
  ) {
    checkPublishConfig(config);
    this.budget = new PublishBudget({
      maxInFlightMessages: config.maxInFlightMessages,
      maxInFlightBytes: config.maxInFlightBytes,
      maxWaitingMessages: config.maxWaitingMessages,
      maxWaitingBytes: config.maxWaitingBytes,
      timeoutMs: config.backpressureTimeoutMs,
    });
  }

  /** Messages accepted and not yet settled, and publishes waiting for room. */
  get stats(): { inFlightMessages: number; inFlightBytes: number; waiting: number } {
    return {
      inFlightMessages: this.budget.inFlightMessages,
      inFlightBytes: this.budget.inFlightBytes,
      waiting: this.budget.waiting,
    };
  }

  /** Resolves when every message of `requests` is acknowledged; rejects with a `ConnectorError`. */
  publish(requests: readonly PublishRequest[], defaults: PublishDefaults): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.closed) return reject(new ConnectorError('NotConnected', 'the connector is shutting down'));
      if (requests.length === 0) return resolve();
      let entries: PendingPublish[];
      const call = new PublishCall(requests.length, resolve, reject);
      try {
        entries = preparePublishes(requests, defaults, call);
      } catch (err) {
        return reject(toConnectorError(err, 'Publish', `publish ${requests.length} message(s)`));
      }
      let bytes = 0;
      for (const entry of entries) bytes += entry.bytes;
      this.budget.acquire({ messages: entries.length, bytes }, () => this.enqueue(entries), reject);
    });
  }

  /**
   * Refuses new publishes, fails those waiting for room, sends what is queued now, and resolves once
   * every accepted message is settled (the caller bounds the wait).
   */
  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.budget.rejectWaiting(new ConnectorError('NotConnected', 'the connector is shutting down'));
      this.flush();
    }
    if (this.budget.inFlightMessages === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private enqueue(entries: PendingPublish[]): void {
    let queue: TopicQueue | undefined;
    for (const entry of entries) {
      if (!queue || queue.stream !== entry.stream || queue.topic !== entry.topic) {
        queue = this.queueOf(entry.stream, entry.topic);
      }
      queue.entries.push(entry);
    }
    this.queued += entries.length;
    // Nothing else in flight and no linger asked for: nobody to wait for, send at once (a lone publish
    // pays no tick). Otherwise what comes meanwhile joins the batch of this tick. A linger is cut short
    // once a batch's worth is queued; without one the tick ends soon enough, and cutting it at a total
    // would split every partition's batch into slivers.
    const alone =
      this.config.lingerMs === 0 && this.budget.inFlightMessages === this.queued && this.oneMoreAtOnce();
    const lingerFull = this.config.lingerMs > 0 && this.queued >= this.config.maxBatchMessages;
    if (this.closed || alone || lingerFull) {
      this.flush();
    } else this.schedule();
  }

  /** Counts a lone publish sent at once in this turn of the event loop; false past `AT_ONCE_PER_TURN`. */
  private oneMoreAtOnce(): boolean {
    if (this.sentAtOnce === 0) setImmediate(() => (this.sentAtOnce = 0));
    return ++this.sentAtOnce <= AT_ONCE_PER_TURN;
  }

  private queueOf(stream: string, topic: string): TopicQueue {
    let topics = this.queues.get(stream);
    if (!topics) this.queues.set(stream, (topics = new Map()));
    let queue = topics.get(topic);
    if (!queue) topics.set(topic, (queue = new TopicQueue(stream, topic)));
    return queue;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    const run = () => this.flush();
    if (this.config.lingerMs > 0) this.timer = setTimeout(run, this.config.lingerMs);
    else setImmediate(run);
  }

  /** Sends everything queued, topic by topic. */
  private flush(): void {
    this.scheduled = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.queued === 0) return;
    this.queued = 0;
    for (const topics of this.queues.values()) {
      for (const queue of topics.values()) {
        if (queue.entries.length > 0) this.flushTopic(queue, queue.take());
      }
    }
  }

  private flushTopic(queue: TopicQueue, entries: PendingPublish[]): void {
    const pending = queue.chain
      ? queue.chain.then(() => this.dispatch(queue, entries))
      : this.dispatch(queue, entries);
    if (!pending) return;
    queue.chain = pending;
    void pending.finally(() => {
      if (queue.chain === pending) queue.chain = undefined;
    });
  }

  /**
   * Sends a topic's entries once its partition count is known: remembered for `PARTITIONS_TTL_MS`
   * (partitions added meanwhile count from the next lookup), else looked up now or later. Never rejects.
   */
  private dispatch(queue: TopicQueue, entries: PendingPublish[]): Promise<void> | undefined {
    const known = queue.known;
    if (known && known.expiresAt > Date.now()) {
      this.sendAll(queue, entries, known.count);
      return undefined;
    }
    let count: MaybePromise<number | null>;
    try {
      count = this.sink.partitionsCount(queue.stream, queue.topic);
    } catch (err) {
      this.fail(entries, err, queue);
      return undefined;
    }
    if (!isPending(count)) {
      this.learn(queue, count);
      this.sendAll(queue, entries, count);
      return undefined;
    }
    return count.then(
      (n) => {
        this.learn(queue, n);
        this.sendAll(queue, entries, n);
      },
      (err: unknown) => this.fail(entries, err, queue),
    );
  }

  private learn(queue: TopicQueue, count: number | null): void {
    queue.known = count === null ? undefined : { count, expiresAt: Date.now() + PARTITIONS_TTL_MS };
  }

  private sendAll(queue: TopicQueue, entries: PendingPublish[], count: number | null): void {
    if (count === null || count < 1) {
      const error =
        count === null
          ? new ConnectorError(
              'Publish',
              `publish to '${queue.stream}/${queue.topic}': topic '${queue.topic}' of stream '${queue.stream}' does not exist`,
              { code: IggyErrorCode.TopicNameNotFound },
            )
          : new ConnectorError(
              'Publish',
              `publish to '${queue.stream}/${queue.topic}': the topic has no partitions`,
              {
                code: IggyErrorCode.PartitionNotFound,
              },
            );
      return this.fail(entries, error, queue);
    }
    for (const batch of partitionBatches(entries, queue.partitioner(count), this.config)) {
      this.send(queue, batch);
    }
  }

  private send(queue: TopicQueue, batch: PartitionBatch<PublishCall>): void {
    const n = batch.entries.length;
    const messages = new Array<PendingPublish['message']>(n);
    const headerBytes = new Uint32Array(n);
    const owners = new Array<PublishCall>(n);
    for (let i = 0; i < n; i++) {
      const entry = batch.entries[i]!;
      messages[i] = entry.message;
      headerBytes[i] = entry.headerBytes;
      owners[i] = entry.owner;
    }
    const cost: PublishCost = { messages: n, bytes: batch.bytes };
    let sent: Promise<void>;
    try {
      const run = MessageRun.encodeMeasured(messages, { runBytes: batch.bytes, headerBytes });
      sent = this.sink.sendBatch(queue.stream, queue.topic, batch.partition, run);
    } catch (err) {
      sent = Promise.reject(err);
    }
    const observer = this.observer;
    const started = observer ? performance.now() : 0;
    const { stream, topic } = queue;
    // The settle closures hold numbers only: the batch's messages are garbage once encoded, not held
    // (and promoted by the GC) until the broker acknowledges them.
    const { bytes, partition } = batch;
    sent.then(
      () => {
        observer?.({
          stream,
          topic,
          messages: n,
          bytes,
          seconds: since(started),
          error: undefined,
        });
        this.settle(owners, cost, undefined);
      },
      (err: unknown) => {
        if (TOPIC_CHANGED.has(errorCodeOf(err) ?? -1)) queue.known = undefined;
        const what = `publish ${n} message(s) to '${stream}/${topic}' partition ${partition}`;
        const error = toConnectorError(err, 'Publish', what);
        observer?.({ stream, topic, messages: n, bytes, seconds: since(started), error });
        this.settle(owners, cost, error);
      },
    );
  }

  private fail(entries: PendingPublish[], err: unknown, queue: TopicQueue): void {
    const what = `publish ${entries.length} message(s) to '${queue.stream}/${queue.topic}'`;
    const error = toConnectorError(err, 'Publish', what);
    let bytes = 0;
    for (const entry of entries) bytes += entry.bytes;
    this.settle(
      entries.map((e) => e.owner),
      { messages: entries.length, bytes },
      error,
    );
  }

  private settle(owners: PublishCall[], cost: PublishCost, error: Error | undefined): void {
    // A call's messages sit side by side in a batch: settle each call once per run of them.
    let i = 0;
    while (i < owners.length) {
      const owner = owners[i]!;
      let run = 1;
      while (i + run < owners.length && owners[i + run] === owner) run++;
      owner.settle(run, error);
      i += run;
    }
    this.budget.release(cost);
    if (this.budget.inFlightMessages === 0 && this.idle.length > 0) {
      const idle = this.idle;
      this.idle = [];
      for (const resolve of idle) resolve();
    }
  }
}

function since(started: number): number {
  return (performance.now() - started) / 1000;
}
