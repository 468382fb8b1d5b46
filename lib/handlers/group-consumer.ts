import type { IggyConnector, PartitionLag } from '../connectors/iggy-connector.js';
import type { MessageSubscriber, ReceivedMessage, StartFrom } from '../connectors/message-subscriber.js';
import type { SerializerRegistry } from '../events/serializer-registry.js';
import { PartitionStalls, backoffDelayMs, type StalledPartition } from '../consumer/redelivery.js';
import type { RetryOptions } from '../consumer/retry-options.js';
import { sleepUnless } from '../transport/transport-support.js';
import type { BoundHandler } from './bound-handler.js';
import type { DeadLetterSink } from './dead-letter-sink.js';
import { IdempotencyGuard } from '../consumer/idempotency/idempotency-guard.js';
import type { IdempotencyStore } from '../consumer/idempotency/idempotency-store.js';
import { describeError, dispatchMessage } from './message-dispatcher.js';
import { LaneStopped, PartitionLanes, type LaneStatus } from './partition-lanes.js';

/** Where a group consumer logs (a Nest `Logger` fits). */
export interface GroupLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface GroupConsumerSpec {
  stream: string;
  topic: string;
  group: string;
  handlers: BoundHandler[];
  concurrency: number;
  startFrom: StartFrom | undefined;
  /** Where the idempotency guard keeps the ids the group handled; undefined turns the guard off. */
  idempotency: IdempotencyStore | undefined;
  /** Whether handlers without an `idempotent` option are guarded (`handlers.idempotency`). */
  idempotentByDefault: boolean;
  shutdownTimeoutMs: number;
  /** Backoff of a message whose handling failed for good (DLQ off or unwritable) before it is tried again. */
  retry: RetryOptions;
  /** Offsets are committed every this many messages of a partition, and when its queue runs dry (default 20). */
  commitEvery?: number;
  /** Messages buffered before fetching pauses (default 50 × concurrency). */
  maxBuffered?: number;
  /** Longest wait of the subscription after an empty poll (default: the connector's, 50 ms). */
  pollIntervalMs?: number;
  /** Messages fetched per poll (default: the connector's, 100). */
  batchSize?: number;
}

export type { StalledPartition } from '../consumer/redelivery.js';

export interface GroupStatus {
  stream: string;
  topic: string;
  group: string;
  /** `Class.method <- pattern` of every handler. */
  handlers: { name: string; pattern: string }[];
  state: 'idle' | 'running' | 'stopping' | 'stopped';
  handled: number;
  skipped: number;
  deadLettered: number;
  partitions: LaneStatus[];
  stalled: StalledPartition[];
}

/**
 * One consumer group on one topic: one group subscription for all its handlers, messages routed by
 * type, handled in order per partition (partitions in parallel up to `concurrency`), offsets
 * committed after success or dead-lettering. A message whose handling fails for good (DLQ disabled,
 * or the DLQ write failed) is not committed: its partition stalls and the message is retried with
 * the retry backoff until it passes or the consumer stops (then it is redelivered to the next owner).
 */
export class GroupConsumer {
  private subscription: MessageSubscriber | undefined;
  private lanes: PartitionLanes;
  private readonly guard: IdempotencyGuard | undefined;
  private readonly stalls: PartitionStalls;
  private state: GroupStatus['state'] = 'idle';
  private reading: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  private closed = false;
  private stopSignal = new AbortController();
  private counts = { handled: 0, skipped: 0, deadLettered: 0 };

  constructor(
    private readonly connector: IggyConnector,
    readonly spec: GroupConsumerSpec,
    private readonly deps: { serializers: SerializerRegistry; sink?: DeadLetterSink; logger: GroupLogger },
  ) {
    this.guard =
      spec.idempotency &&
      new IdempotencyGuard(spec.idempotency, spec.group, (text) => deps.logger.warn(text));
    this.stalls = new PartitionStalls(spec.retry);
    this.lanes = this.newLanes();
  }

  get name(): string {
    return `${this.spec.topic}/${this.spec.group}`;
  }

  async start(): Promise<void> {
    if (this.state === 'running') return;
    this.closed = false;
    this.stopping = undefined;
    this.stopSignal = new AbortController();
    this.lanes = this.newLanes();
    this.subscription = await this.connector.subscribeGroup(
      this.spec.stream,
      this.spec.topic,
      this.spec.group,
      {
        startFrom: this.spec.startFrom,
        pollIntervalMs: this.spec.pollIntervalMs,
        batchSize: this.spec.batchSize,
      },
    );
    this.state = 'running';
    this.reading = this.readLoop(this.subscription);
  }

  /**
   * Stops fetching, waits up to `shutdownTimeoutMs` for the messages in flight, commits what was
   * handled, then closes the subscription (leaving the group, so the other members take over).
   */
  stop(): Promise<void> {
    if (this.state === 'running') this.stopping = this.drainAndClose();
    return this.stopping ?? Promise.resolve();
  }

  private async drainAndClose(): Promise<void> {
    this.state = 'stopping';
    this.lanes.stop();
    this.stopSignal.abort();
    const idle = await this.lanes.idle(this.spec.shutdownTimeoutMs);
    if (!idle) {
      this.deps.logger.warn(
        `group '${this.name}': handlers still running after ${this.spec.shutdownTimeoutMs} ms; ` +
          'closing without committing them (their messages will be delivered again)',
      );
    }
    await this.lanes.flush();
    this.closed = true;
    try {
      await this.subscription?.close();
    } catch (error) {
      this.deps.logger.warn(`group '${this.name}': closing the subscription failed: ${describeError(error)}`);
    }
    await this.reading;
    this.state = 'stopped';
  }

  lag(): Promise<PartitionLag[]> {
    return this.connector.consumerLag(this.spec.stream, this.spec.topic, {
      kind: 'group',
      name: this.spec.group,
    });
  }

  status(): GroupStatus {
    return {
      stream: this.spec.stream,
      topic: this.spec.topic,
      group: this.spec.group,
      handlers: this.spec.handlers.map((h) => ({ name: h.name, pattern: h.pattern })),
      state: this.state,
      ...this.counts,
      partitions: this.lanes.status(),
      stalled: this.stalls.list(),
    };
  }

  private newLanes(): PartitionLanes {
    return new PartitionLanes(this.spec.concurrency, this.spec.commitEvery ?? 20, {
      process: (message) => this.process(message),
      commit: async (message) => {
        if (!this.closed) await this.subscription!.commit(message);
      },
      onCommitError: (message, error) =>
        this.deps.logger.warn(
          `group '${this.name}': commit of partition ${message.partition} offset ${message.offset} failed ` +
            `(the next commit covers it): ${describeError(error)}`,
        ),
      onProcessError: (message, error) =>
        this.deps.logger.error(
          `group '${this.name}': partition ${message.partition} stalled at offset ${message.offset}: ${describeError(error)}`,
        ),
    });
  }

  private async readLoop(subscription: MessageSubscriber): Promise<void> {
    const maxBuffered = this.spec.maxBuffered ?? 50 * this.spec.concurrency;
    let failures = 0;
    while (this.state === 'running') {
      await this.lanes.waitForRoom(maxBuffered);
      if (this.state !== 'running') break;
      let message: ReceivedMessage | null;
      try {
        message = await subscription.recv();
        failures = 0;
      } catch (error) {
        if (this.state !== 'running') break;
        failures++;
        this.deps.logger.warn(`group '${this.name}': receive failed (${failures}): ${describeError(error)}`);
        await sleepUnless(backoffDelayMs(this.spec.retry, failures), this.stopSignal.signal);
        continue;
      }
      if (message === null) break;
      this.lanes.push(message); // ignored once stopping: that message stays uncommitted
    }
    if (this.state === 'running') {
      this.deps.logger.warn(`group '${this.name}': the subscription ended (connector shut down?); stopping`);
      void this.stop();
    }
  }

  /** Handles one message; retries it (with backoff) while it fails for good; throws `LaneStopped` on stop. */
  private async process(message: ReceivedMessage): Promise<void> {
    const done = new Set<string>();
    const handled = await this.stalls.untilHandled(
      message,
      async () => {
        const outcome = await dispatchMessage(message, {
          group: this.spec.group,
          handlers: this.spec.handlers,
          serializers: this.deps.serializers,
          mode: 'consume',
          guard: this.guard,
          idempotentByDefault: this.spec.idempotentByDefault,
          sink: this.deps.sink,
          done,
          warn: (text) => this.deps.logger.warn(text),
        });
        if (outcome.kind === 'handled') {
          this.counts.handled++;
          this.counts.deadLettered += outcome.deadLettered.length;
        } else if (outcome.kind === 'dead-lettered') this.counts.deadLettered++;
        else this.counts.skipped++;
      },
      {
        signal: this.stopSignal.signal,
        stopped: () => this.state !== 'running',
        onFailure: (stall, delay, error) =>
          this.deps.logger.error(
            `group '${this.name}': partition ${stall.partition} offset ${stall.offset} failed ` +
              `(${stall.failures}x, not committed, retrying in ${delay} ms): ${describeError(error)}`,
          ),
      },
    );
    if (!handled) throw new LaneStopped();
  }
}
