import { IggyErrorCode } from '../protocol/codes/error-codes.js';
import type { ConsumerOffsetInfo } from '../protocol/commands/consumer-offsets/consumer-offset.layout.js';
import type { TopicDetails } from '../protocol/commands/topics/topic.layout.js';
import { ConsumerKind, type Consumer } from '../protocol/primitives/consumer.js';
import { PollingStrategy } from '../protocol/primitives/polling-strategy.js';
import {
  resolveConnectorConfig,
  type ConnectorConfig,
  type ConnectorConfigInput,
} from './connector-config.js';
import { ConnectorError } from './connector-error.js';
import { iggyCodeOf, toConnectorError, type OperationKind } from './connector-error-mapping.js';
import { ensureConfiguredTopology, type ConfiguredTopology } from './configured-topology.js';
import { createIfMissing } from './create-if-missing.js';
import type { IggyConnector, OffsetOwner, PartitionLag, TopicInfo, TopicSpec } from './iggy-connector.js';
import type { MessageSubscriber, SubscribeOptions } from './message-subscriber.js';
import type { PollSource } from './poll-source.js';
import { PollingSubscriber, type SubscriptionTarget } from './polling-subscriber.js';
import { PublishBatcher, type PublishBatchObserver, type PublishSink } from './publish-batcher.js';
import type { PublishRequest } from './publish-request.js';
import type { MessageRun } from '../protocol/messages/message-run.js';
import { groupFloors, singleStart } from './start-position.js';
import { checkName, checkTopicSpec, ownerConsumer, partitionLag, toTopicInfo } from './topic-info.js';
import { waitAtMost } from './wait-at-most.js';

type State = 'idle' | 'connecting' | 'connected' | 'closing' | 'closed';

/** Codes after which a group offset can only be stored by a member owning the partition. */
const NOT_A_MEMBER: ReadonlySet<number> = new Set([
  IggyErrorCode.ConsumerGroupMemberNotFound,
  IggyErrorCode.NotResolvedConsumer,
]);

/** The consumer a timestamp probe polls as (it never stores an offset). */
const PROBE: Consumer = { kind: ConsumerKind.Consumer, id: 'nestjs-iggy-start-probe' };

export const subscribeDefaults = {
  consumerName: 'nestjs-iggy',
  batchSize: 100,
  pollIntervalMs: 50,
  minPollIntervalMs: 1,
} as const;

/** How a subscription polls (checked `SubscribeOptions`). */
interface SubscriptionSettings {
  batchSize: number;
  pollIntervalMs: number;
  minPollIntervalMs: number;
}

/**
 * What both connectors share: the connection state (every method before `connect` or after `shutdown`
 * fails with `NotConnected`), error mapping to `ConnectorError` kinds, the publish path (`PublishBatcher`:
 * coalesced per partition, bounded, in order), subscriptions (each on its own session), topology
 * create-if-missing, offsets and lag. Subclasses supply the transport primitives; those throw their
 * transport's own errors.
 */
export abstract class ConnectorBase implements IggyConnector {
  private state: State = 'idle';
  private resolved: ConnectorConfig | undefined;
  private readonly subscribers = new Set<PollingSubscriber>();
  private stopping: Promise<void> | undefined;
  private batcher: PublishBatcher | undefined;
  private batchObserver: PublishBatchObserver | undefined;
  private topologyFound: ConfiguredTopology | undefined;

  get config(): ConnectorConfig | undefined {
    return this.resolved;
  }

  /** What `connect` found or made of the configured stream and topic; undefined with `ensureTopology: false`. */
  get topology(): ConfiguredTopology | undefined {
    return this.topologyFound;
  }

  isConnected(): boolean {
    return this.state === 'connected' && this.transportUp();
  }

  /**
   * Connects with `config` (defaults filled in for anything left out), then, unless `ensureTopology` is
   * false, creates the configured stream and topic when missing; a failure there shuts the connection
   * down again and rejects with `Topology`.
   */
  async connect(config: ConnectorConfigInput = {}): Promise<void> {
    if (this.state === 'connecting' || this.state === 'connected' || this.state === 'closing') {
      const why =
        this.state === 'closing' ? 'is shutting down' : 'is already connected; call shutdown() first';
      throw new ConnectorError('Config', `${this.label} ${why}`);
    }
    const resolved = resolveConnectorConfig(config);
    checkName('streamName', resolved.streamName);
    checkName('topicName', resolved.topicName);
    if (!(resolved.shutdownTimeoutMs >= 0)) {
      throw new ConnectorError('Config', `shutdownTimeoutMs must be ≥ 0, got ${resolved.shutdownTimeoutMs}`);
    }
    const batcher = new PublishBatcher(this.publishSink(), resolved.publish);
    batcher.observer = this.batchObserver;
    this.state = 'connecting';
    try {
      await this.open(resolved);
    } catch (err) {
      this.state = 'idle';
      throw toConnectorError(err, 'Connection', `${this.label}: connect`);
    }
    this.resolved = resolved;
    this.batcher = batcher;
    this.state = 'connected';
    if (!resolved.ensureTopology) return;
    try {
      this.topologyFound = await ensureConfiguredTopology(this, resolved);
    } catch (err) {
      await this.shutdown().catch(() => undefined);
      this.state = 'idle';
      this.resolved = undefined;
      const cause = toConnectorError(err, 'Topology', `${this.label}: connect`);
      throw new ConnectorError(
        cause.kind,
        `${cause.message} (ensureTopology: false skips this, for a user who may not create streams or topics)`,
        { cause, iggyCode: cause.iggyCode },
      );
    }
  }

  /**
   * Sends what is queued and waits for the publishes in flight, closes every subscription, then the
   * transport; past `shutdownTimeoutMs` it closes the transport anyway, failing what is left. Idempotent;
   * later calls fail with `NotConnected`.
   */
  shutdown(): Promise<void> {
    if (this.state === 'connected') {
      this.state = 'closing';
      this.stopping = this.stop().finally(() => {
        this.state = 'closed';
        this.stopping = undefined;
      });
    }
    return this.stopping ?? Promise.resolve();
  }

  private async stop(): Promise<void> {
    const deadline = Date.now() + (this.resolved?.shutdownTimeoutMs ?? 0);
    const left = () => deadline - Date.now();
    try {
      if (this.batcher) await waitAtMost(this.batcher.close(), left());
      await waitAtMost(Promise.all([...this.subscribers].map((s) => s.close())), left());
      await this.close();
    } catch (err) {
      throw toConnectorError(err, 'Connection', `${this.label}: shutdown`);
    }
  }

  publish(request: PublishRequest): Promise<void> {
    return this.publishBatch([request]);
  }

  /**
   * Publishes are coalesced with the others of the same tick (or `publish.lingerMs`) into one batch per
   * partition, in call order; the promise settles with the batches holding `requests`.
   */
  publishBatch(requests: PublishRequest[]): Promise<void> {
    let config: ConnectorConfig;
    try {
      config = this.requireConnected();
    } catch (err) {
      return Promise.reject(toConnectorError(err, 'Publish', 'publish'));
    }
    if (requests.length === 0) return Promise.resolve();
    return this.batcher!.publish(requests, config);
  }

  /** Tells `observer` of every batch the publish path sends (the module's metrics); undefined: nobody. */
  observePublishBatches(observer: PublishBatchObserver | undefined): void {
    this.batchObserver = observer;
    if (this.batcher) this.batcher.observer = observer;
  }

  /** Messages accepted for publishing and not yet acknowledged, and publishes waiting for room. */
  get publishStats(): { inFlightMessages: number; inFlightBytes: number; waiting: number } {
    return this.batcher?.stats ?? { inFlightMessages: 0, inFlightBytes: 0, waiting: 0 };
  }

  async subscribe(
    stream: string,
    topic: string,
    partition: number,
    options: SubscribeOptions = {},
  ): Promise<MessageSubscriber> {
    const consumerName = options.consumerName ?? subscribeDefaults.consumerName;
    const what = `subscribe consumer '${consumerName}' to '${stream}/${topic}' partition ${partition}`;
    return this.wrap('Subscribe', what, async () => {
      checkName('consumerName', consumerName, 'Subscribe');
      const settings = subscriptionSettings(options);
      const info = await this.requireTopic(stream, topic);
      const p = info.partitions.find((x) => x.id === partition);
      if (!Number.isInteger(partition) || !p) {
        throw new ConnectorError(
          'Subscribe',
          `${what}: the topic has partitions 0..${info.partitionsCount - 1}`,
          { iggyCode: IggyErrorCode.PartitionNotFound },
        );
      }
      const initial = singleStart(options.startFrom ?? 'committed', p);
      const target: SubscriptionTarget = { kind: 'partition', partition, consumerName, initial };
      return this.startSubscription(await this.openSource(stream, topic), stream, topic, target, settings);
    });
  }

  async subscribeGroup(
    stream: string,
    topic: string,
    group: string,
    options: SubscribeOptions = {},
  ): Promise<MessageSubscriber> {
    return this.wrap('Subscribe', `subscribe group '${group}' to '${stream}/${topic}'`, async () => {
      checkName('group', group, 'Subscribe');
      const settings = subscriptionSettings(options);
      const info = await this.requireTopic(stream, topic);
      const source = await this.openSource(stream, topic);
      try {
        const floors = await groupFloors(options.startFrom ?? 'committed', info, async (partition, ts) => {
          const batch = await source.poll(PROBE, partition, PollingStrategy.timestamp(ts), 1);
          return batch.messages[0]?.offset ?? null;
        });
        await source.joinGroup(group);
        const target: SubscriptionTarget = {
          kind: 'group',
          group,
          partitionsCount: info.partitionsCount,
          floors,
        };
        return this.startSubscription(source, stream, topic, target, settings, true);
      } catch (err) {
        await source.close().catch(() => undefined);
        throw err;
      }
    });
  }

  async storeOffset(
    stream: string,
    topic: string,
    owner: OffsetOwner,
    partition: number,
    offset: bigint,
  ): Promise<void> {
    const what = `store offset ${offset} of ${owner.kind} '${owner.name}' on '${stream}/${topic}' partition ${partition}`;
    await this.wrap('Iggy', what, async () => {
      const consumer = ownerConsumer(owner);
      if (owner.kind === 'consumer') return this.writeOffset(stream, topic, consumer, partition, offset);
      // A group offset is stored by a member owning the partition: one of ours, else a short-lived member.
      for (const subscriber of this.subscribers) {
        if (!subscriber.isGroupOn(stream, topic, owner.name)) continue;
        try {
          return await subscriber.storeOffsetAt(partition, offset);
        } catch (err) {
          if (!NOT_A_MEMBER.has(iggyCodeOf(err) ?? -1)) throw err;
        }
      }
      const source = await this.openSource(stream, topic);
      try {
        await source.joinGroup(owner.name);
        await source.storeOffset(consumer, partition, offset);
      } finally {
        await source.leaveGroup(owner.name).catch(() => undefined);
        await source.close().catch(() => undefined);
      }
    });
  }

  consumerLag(stream: string, topic: string, owner: OffsetOwner): Promise<PartitionLag[]> {
    const what = `lag of ${owner.kind} '${owner.name}' on '${stream}/${topic}'`;
    return this.wrap('Iggy', what, async () => {
      const info = await this.requireTopic(stream, topic, 'Iggy');
      const consumer = ownerConsumer(owner);
      const stored = await Promise.all(
        info.partitions.map((p) => this.readOffset(stream, topic, consumer, p.id)),
      );
      return info.partitions.map((p, i) => partitionLag(p, stored[i] ?? null));
    });
  }

  ping(): Promise<number> {
    return this.wrap('Iggy', 'ping', async () => {
      const start = performance.now();
      await this.roundTrip();
      return performance.now() - start;
    });
  }

  ensureStream(name: string): Promise<void> {
    return this.wrap('Topology', `ensure stream '${name}'`, async () => {
      checkName('stream name', name, 'Topology');
      await createIfMissing(
        () => this.streamExists(name),
        () => this.createStream(name),
        IggyErrorCode.StreamNameAlreadyExists,
      );
    });
  }

  ensureTopic(stream: string, spec: TopicSpec): Promise<void> {
    return this.wrap('Topology', `ensure topic '${spec.name}' of stream '${stream}'`, async () => {
      checkName('topic name', spec.name, 'Topology');
      checkTopicSpec(stream, spec);
      await createIfMissing(
        async () => (await this.fetchTopic(stream, spec.name)) !== null,
        () => this.createTopic(stream, spec),
        IggyErrorCode.TopicNameAlreadyExists,
      );
    });
  }

  getTopic(stream: string, topic: string): Promise<TopicInfo | null> {
    return this.wrap('Topology', `get topic '${topic}' of stream '${stream}'`, async () => {
      const details = await this.fetchTopic(stream, topic);
      return details ? toTopicInfo(details) : null;
    });
  }

  /** Says what this connector is in error messages. */
  protected abstract readonly label: string;
  /** Opens the transport and logs in. */
  protected abstract open(config: ConnectorConfig): Promise<void>;
  /** Closes the transport (subscriptions are closed already). */
  protected abstract close(): Promise<void>;
  /** False while the transport is down (a remote connection being re-established). */
  protected transportUp(): boolean {
    return true;
  }
  /** Partitions of a topic, `null` when it does not exist (see `PublishSink`). */
  protected abstract partitionsCount(stream: string, topic: string): number | null | Promise<number | null>;
  /** Sends one encoded batch to one partition; must start (or queue, in order) before returning. */
  protected abstract sendBatch(
    stream: string,
    topic: string,
    partition: number,
    run: MessageRun,
  ): Promise<void>;
  /** A new session for one subscription (or a short-lived group member). */
  protected abstract openSource(stream: string, topic: string): Promise<PollSource>;
  protected abstract fetchTopic(stream: string, topic: string): Promise<TopicDetails | null>;
  protected abstract streamExists(stream: string): Promise<boolean>;
  protected abstract createStream(name: string): Promise<void>;
  protected abstract createTopic(stream: string, spec: TopicSpec): Promise<void>;
  protected abstract readOffset(
    stream: string,
    topic: string,
    consumer: Consumer,
    partition: number,
  ): Promise<ConsumerOffsetInfo | null>;
  protected abstract writeOffset(
    stream: string,
    topic: string,
    consumer: Consumer,
    partition: number,
    offset: bigint,
  ): Promise<void>;
  protected abstract roundTrip(): Promise<void>;

  /** The config, or `NotConnected`. */
  protected requireConnected(): ConnectorConfig {
    if (this.state !== 'connected' || !this.resolved) {
      const why =
        this.state === 'closed' || this.state === 'closing' ? 'has been shut down' : 'is not connected';
      throw new ConnectorError('NotConnected', `${this.label} ${why}`);
    }
    return this.resolved;
  }

  private publishSink(): PublishSink {
    return {
      partitionsCount: (stream, topic) => this.partitionsCount(stream, topic),
      sendBatch: (stream, topic, partition, run) => this.sendBatch(stream, topic, partition, run),
    };
  }

  private async wrap<T>(kind: OperationKind, what: string, run: () => Promise<T>): Promise<T> {
    try {
      this.requireConnected();
      return await run();
    } catch (err) {
      throw toConnectorError(err, kind, what);
    }
  }

  private async requireTopic(
    stream: string,
    topic: string,
    kind: 'Subscribe' | 'Iggy' = 'Subscribe',
  ): Promise<TopicInfo> {
    const details = await this.fetchTopic(stream, topic);
    if (!details) {
      throw new ConnectorError(kind, `topic '${topic}' of stream '${stream}' does not exist`, {
        iggyCode: IggyErrorCode.TopicNameNotFound,
      });
    }
    return toTopicInfo(details);
  }

  private startSubscription(
    source: PollSource,
    stream: string,
    topic: string,
    target: SubscriptionTarget,
    settings: SubscriptionSettings,
    joined = false,
  ): PollingSubscriber {
    const subscriber: PollingSubscriber = new PollingSubscriber(
      source,
      { stream, topic, target, ...settings },
      { joined, onClose: () => this.subscribers.delete(subscriber) },
    );
    this.subscribers.add(subscriber);
    return subscriber;
  }
}

/** Batch size and poll waits of a subscription, checked (the shortest wait is capped at the longest). */
function subscriptionSettings(options: SubscribeOptions): SubscriptionSettings {
  const batchSize = options.batchSize ?? subscribeDefaults.batchSize;
  const pollIntervalMs = options.pollIntervalMs ?? subscribeDefaults.pollIntervalMs;
  const minPollIntervalMs = options.minPollIntervalMs ?? subscribeDefaults.minPollIntervalMs;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new ConnectorError('Subscribe', `batchSize must be a positive integer, got ${batchSize}`);
  }
  if (!(pollIntervalMs >= 0)) {
    throw new ConnectorError('Subscribe', `pollIntervalMs must be >= 0, got ${pollIntervalMs}`);
  }
  if (!(minPollIntervalMs >= 0)) {
    throw new ConnectorError('Subscribe', `minPollIntervalMs must be >= 0, got ${minPollIntervalMs}`);
  }
  return { batchSize, pollIntervalMs, minPollIntervalMs: Math.min(minPollIntervalMs, pollIntervalMs) };
}
