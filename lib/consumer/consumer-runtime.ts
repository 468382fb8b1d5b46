import { subscribeDefaults } from '../connectors/connector-base.js';
import type { IggyConnector, PartitionLag } from '../connectors/iggy-connector.js';
import type { MessageSubscriber, ReceivedMessage, StartFrom } from '../connectors/message-subscriber.js';
import type { SerializerRegistry } from '../events/serializer-registry.js';
import { namedError } from '../common/error-text.js';
import { EventLoopTurns } from '../common/event-loop-turns.js';
import { isPending, type MaybePromise } from '../common/maybe-promise.js';
import { WakeableDelay } from '../common/wakeable-delay.js';
import type { ConsumerLogger } from './consumer-logger.js';
import type { ConsumerObserver } from './consumer-observer.js';
import { DeadLetterFallback } from './dead-letter-fallback.js';
import type { DeadLetterSink } from './dead-letter-sink.js';
import { Delivery } from './delivery.js';
import { Dispatcher, type DispatchCounts, type DispatchResult, type RequestReplies } from './dispatcher.js';
import { IdempotencyGuard } from './idempotency/idempotency-guard.js';
import type { IdempotencyStore } from './idempotency/idempotency-store.js';
import type { IggyContext } from './iggy.context.js';
import { DEFAULT_COMMIT_POLICY, OffsetCommits, type CommitPolicy } from './offset-commits.js';
import { PartitionLanes, type LaneStatus } from './partition-lanes.js';
import { PartitionStalls, type StalledPartition } from './partition-stalls.js';
import { backoffDelayMs, type RetryOptions } from './retry-options.js';
import type { RouteTable } from './route-table.js';

/** One consumer group on one topic, and how it runs. */
export interface ConsumerSpec {
  stream: string;
  topic: string;
  group: string;
  /** The group's handlers. */
  routes: RouteTable;
  serializers: SerializerRegistry;
  /** Where the group's subscription starts when it has no stored offset (default `committed`). */
  startFrom?: StartFrom;
  /** Messages fetched per poll (default: the connector's, 1000). */
  batchSize?: number;
  /** Longest wait of the subscription after an empty poll (default: the connector's). */
  pollIntervalMs?: number;
  /** How often the member's assigned partitions are read for an observer that wants them (default 5000 ms). */
  assignmentCheckMs?: number;
  /** Partitions handled at the same time. */
  concurrency: number;
  /** Messages buffered (queued and in flight) before polling pauses (default `batchSize` × (concurrency + 1)). */
  maxBuffered?: number;
  /** How long `stop()` may take in all: handlers in flight, the last commits, leaving the group. */
  shutdownTimeoutMs: number;
  /** Backoff of a message whose handling failed for good before it is tried again, and of failed polls. */
  retry: RetryOptions;
  commit?: Partial<CommitPolicy>;
  /** The idempotency guard's store; undefined turns the guard off. */
  idempotency?: IdempotencyStore;
  /** Where unreadable messages and failed calls no DLQ interceptor owned are dead-lettered. */
  sink?: DeadLetterSink;
  /** Said once when a failed call no DLQ interceptor owned is dead-lettered. */
  unownedHint?: string;
  /** `IggyServer`: its request handlers answer requests (a handler group skips them). */
  requests?: RequestReplies;
  /** Told what the group does (metrics, traces); left out, nothing is reported. */
  observer?: ConsumerObserver;
}

/** What the consumer reports as it runs. */
export interface ConsumerHooks {
  /** A handler call failed for good (then it is dead-lettered, or its partition stalls). */
  onHandlerError?: (error: unknown, context: IggyContext) => void;
  /** A poll failed (`failures` in a row); it is tried again with the retry backoff. */
  onPollError?: (error: unknown, failures: number) => void;
  /** A poll succeeded after failures. */
  onPollRecovered?: () => void;
  /** A commit failed; the next one covers it. */
  onCommitError?: (error: unknown, message: ReceivedMessage) => void;
}

/** One group's state and counters. */
export interface GroupStatus extends DispatchCounts {
  stream: string;
  topic: string;
  group: string;
  /** `name ← pattern` of every handler (`Class.method`, or the pattern of an `IggyServer` handler). */
  handlers: { name: string; pattern: string }[];
  state: 'idle' | 'running' | 'stopping' | 'stopped';
  partitions: LaneStatus[];
  stalled: StalledPartition[];
}

/**
 * The consumer runtime: one consumer group on one topic, the one engine under `@IggyEventHandler` groups
 * and `IggyServer`. It polls whole batches, hands them to ordered per-partition lanes (at most
 * `concurrency` partitions at once, at most `maxBuffered` messages held), dispatches each message to the
 * group's handlers, and commits in the background the highest contiguous handled offset of each partition
 * (every `commit.every` messages or `commit.intervalMs`, and at stop).
 *
 * At-least-once: an offset is committed only after the handlers succeeded or the message was
 * dead-lettered. A message whose handling fails for good (the DLQ is off or cannot be written) stalls its
 * partition and is tried again with the retry backoff until it passes or the consumer stops; the other
 * partitions go on. `stop()` stops polling, waits for the handlers in flight, commits and leaves the
 * group, all within `shutdownTimeoutMs`; what is not done by then is delivered again.
 */
export class ConsumerRuntime {
  readonly dispatcher: Dispatcher;
  private readonly logger: ConsumerLogger;
  private readonly stalls = new PartitionStalls();
  private subscription: MessageSubscriber | undefined;
  private lanes: PartitionLanes;
  private commits: OffsetCommits | undefined;
  private state: GroupStatus['state'] = 'idle';
  private polling: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  /** The retry backoffs' sleep, closed when the consumer stops. */
  private backoff = new WakeableDelay();
  private readonly work = (message: ReceivedMessage): MaybePromise<boolean> => this.handle(message);
  /** The event loop's turns while a backlog is polled and handled without waiting on I/O. */
  private readonly turns = new EventLoopTurns();

  constructor(
    private readonly connector: IggyConnector,
    readonly spec: ConsumerSpec,
    logger: ConsumerLogger,
    private readonly hooks: ConsumerHooks = {},
  ) {
    this.logger = prefixed(logger, `group '${this.name}': `);
    const guard =
      spec.idempotency &&
      new IdempotencyGuard(spec.idempotency, spec.group, (text) => this.logger.warn(text));
    this.dispatcher = new Dispatcher({
      group: spec.group,
      routes: spec.routes,
      serializers: spec.serializers,
      mode: 'consume',
      guard,
      deadLetters: new DeadLetterFallback(spec.sink, spec.group, this.logger, spec.unownedHint),
      requests: spec.requests,
      logger: this.logger,
      onHandlerError: hooks.onHandlerError,
      observer: spec.observer,
    });
    this.lanes = new PartitionLanes(spec.concurrency, this.work, this.turns);
  }

  /** `topic/group`. */
  get name(): string {
    return `${this.spec.topic}/${this.spec.group}`;
  }

  async start(): Promise<void> {
    if (this.state === 'running') return;
    if (this.stopping) await this.stopping;
    const { stream, topic, group } = this.spec;
    this.backoff = new WakeableDelay();
    this.stopping = undefined;
    this.lanes = new PartitionLanes(this.spec.concurrency, this.work, this.turns);
    const subscription = await this.connector.subscribeGroup(stream, topic, group, {
      startFrom: this.spec.startFrom,
      batchSize: this.spec.batchSize,
      pollIntervalMs: this.spec.pollIntervalMs,
      assignmentCheckMs: this.spec.assignmentCheckMs,
    });
    this.subscription = subscription;
    this.commits = new OffsetCommits(
      observedCommit(subscription, this.spec.observer),
      {
        every: this.spec.commit?.every ?? DEFAULT_COMMIT_POLICY.every,
        intervalMs: this.spec.commit?.intervalMs ?? DEFAULT_COMMIT_POLICY.intervalMs,
      },
      (error, message) => {
        this.logger.warn(
          `commit of partition ${message.partition} offset ${message.offset} failed (the next commit ` +
            `covers it): ${namedError(error)}`,
        );
        this.hooks.onCommitError?.(error, message);
      },
    );
    this.state = 'running';
    this.spec.observer?.started(() => this.lag());
    const observer = this.spec.observer;
    if (observer?.assigned) subscription.onAssignment?.((assignment) => observer.assigned!(assignment));
    this.polling = this.poll(subscription, this.commits);
    this.logger.log(`consuming '${stream}/${topic}': ${this.spec.routes.describe()}`);
  }

  /**
   * Stops polling, waits for the handlers in flight, commits what was handled, then leaves the group
   * (the other members take its partitions over); never longer than `shutdownTimeoutMs` in all.
   */
  stop(): Promise<void> {
    if (this.state === 'running') this.stopping = this.drain();
    return this.stopping ?? Promise.resolve();
  }

  /** Partitions waiting on a message whose handling keeps failing. */
  stalled(): StalledPartition[] {
    return this.stalls.list();
  }

  lag(): Promise<PartitionLag[]> {
    const { stream, topic, group } = this.spec;
    return this.connector.consumerLag(stream, topic, { kind: 'group', name: group });
  }

  status(): GroupStatus {
    const { stream, topic, group, routes } = this.spec;
    return {
      stream,
      topic,
      group,
      handlers: routes.routes.map((r) => ({ name: r.name, pattern: r.pattern })),
      state: this.state,
      ...this.dispatcher.counts,
      partitions: this.lanes.status().map((lane) => ({
        ...lane,
        lastCommittedOffset: this.commits?.offsets(lane.partition).committed ?? null,
      })),
      stalled: this.stalls.list(),
    };
  }

  private async poll(subscription: MessageSubscriber, commits: OffsetCommits): Promise<void> {
    const maxBuffered =
      this.spec.maxBuffered ??
      (this.spec.batchSize ?? subscribeDefaults.batchSize) * (this.spec.concurrency + 1);
    let failures = 0;
    const delivered = (message: ReceivedMessage): void => commits.delivered(message);
    let prefetched: Promise<ReceivedMessage[] | null> | undefined;
    while (this.state === 'running') {
      let polling = prefetched;
      prefetched = undefined;
      if (!polling) {
        if (!this.lanes.hasRoom(maxBuffered)) await this.lanes.waitForRoom(maxBuffered);
        if (this.state !== 'running') break;
        polling = subscription.recvBatch();
      }
      let batch: ReceivedMessage[] | null;
      try {
        batch = await polling;
      } catch (error) {
        if (this.state !== 'running') break;
        failures++;
        this.logger.warn(`polling failed (${failures}x; retrying): ${namedError(error)}`);
        this.hooks.onPollError?.(error, failures);
        await this.backoff.sleep(backoffDelayMs(this.spec.retry, failures));
        continue;
      }
      if (batch === null) break;
      if (failures > 0) {
        failures = 0;
        this.hooks.onPollRecovered?.();
      }
      // The next poll is under way while this batch is handled (over the network, its round trip
      // overlaps the handlers); a batch left unhandled at stop is never committed, so delivered again.
      if (this.lanes.hasRoom(maxBuffered - batch.length)) {
        prefetched = subscription.recvBatch();
        prefetched.catch(() => undefined); // awaited (and its failure handled) on the next turn
      }
      this.lanes.pushAll(batch, delivered);
      if (this.turns.due) await this.turns.take();
    }
    if (this.state === 'running') {
      this.logger.warn('the subscription ended (connector shut down?); stopping');
      void this.stop();
    }
  }

  /**
   * Handles one message until it may be committed (true), or the consumer stops first (false); at once
   * when its dispatch was not pending.
   */
  private handle(message: ReceivedMessage): MaybePromise<boolean> {
    const delivery = new Delivery(message);
    let outcome: MaybePromise<DispatchResult>;
    try {
      outcome = this.dispatch(delivery);
    } catch (error) {
      return this.retry(delivery, error);
    }
    if (isPending(outcome)) {
      return outcome.then(
        () => this.passed(message),
        (error: unknown) => this.retry(delivery, error),
      );
    }
    return this.passed(message);
  }

  private dispatch(delivery: Delivery): MaybePromise<DispatchResult> {
    const observer = this.spec.observer;
    return observer
      ? observer.process(delivery, () => this.dispatcher.dispatch(delivery))
      : this.dispatcher.dispatch(delivery);
  }

  private passed(message: ReceivedMessage): true {
    this.stalls.passed(message.partition);
    this.commits!.handled(message);
    return true;
  }

  /** After a failed dispatch: tries the message again with the retry backoff until it passes or the consumer stops. */
  private async retry(delivery: Delivery, error: unknown): Promise<boolean> {
    const message = delivery.message;
    for (let failures = 1; ; failures++) {
      const delay = backoffDelayMs(this.spec.retry, failures);
      const stall = this.stalls.failed(message.partition, message.offset, failures, error);
      this.logger.error(
        `partition ${stall.partition} offset ${stall.offset} of '${message.topic}' failed ` +
          `(${failures}x, not committed, retrying in ${delay} ms): ${stall.error}`,
      );
      await this.backoff.sleep(delay);
      if (this.backoff.closed) return false;
      try {
        await this.dispatch(delivery);
        return this.passed(message);
      } catch (again) {
        error = again;
      }
    }
  }

  private async drain(): Promise<void> {
    const timeoutMs = this.spec.shutdownTimeoutMs;
    const deadline = Date.now() + timeoutMs;
    this.state = 'stopping';
    this.backoff.close();
    const dropped = this.lanes.stop();
    const busy = this.lanes.active;
    if (!(await this.lanes.idleBy(deadline))) {
      this.logger.warn(
        `handlers of ${busy} partition(s) still running after ${timeoutMs} ms; stopping without ` +
          'committing them (their messages will be delivered again)',
      );
    }
    const commits = this.commits!;
    if (!(await settlesBy(commits.flush(), deadline))) {
      this.logger.warn(`the last commits did not finish within ${timeoutMs} ms (those messages come again)`);
    }
    commits.close();
    const closing = this.subscription!.close().catch((error: unknown) => {
      this.logger.warn(`closing the subscription failed: ${namedError(error)}`);
    });
    await settlesBy(
      closing.then(() => this.polling),
      deadline,
    );
    if (dropped > 0) this.logger.log(`${dropped} fetched message(s) left unhandled and uncommitted`);
    this.spec.observer?.stopped();
    this.state = 'stopped';
  }
}

/** The subscription's commit, timed for the observer when there is one. */
function observedCommit(
  subscription: MessageSubscriber,
  observer: ConsumerObserver | undefined,
): (message: ReceivedMessage) => Promise<void> {
  if (!observer) return (message) => subscription.commit(message);
  return async (message) => {
    const started = performance.now();
    try {
      await subscription.commit(message);
    } catch (error) {
      observer.committed(performance.now() - started, { error });
      throw error;
    }
    observer.committed(performance.now() - started, undefined);
  };
}

/** True when `promise` settled by `deadline` (ms since the epoch); false when the deadline came first. */
async function settlesBy(promise: Promise<unknown>, deadline: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([promise.then(() => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

function prefixed(logger: ConsumerLogger, prefix: string): ConsumerLogger {
  return {
    log: (m) => logger.log(prefix + m),
    warn: (m) => logger.warn(prefix + m),
    error: (m) => logger.error(prefix + m),
    debug: (m) => logger.debug?.(prefix + m),
  };
}
