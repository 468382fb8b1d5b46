import { IggyErrorCode } from '../protocol/codes/error-codes.js';
import type { TopicDetails } from '../protocol/commands/topics/topic.layout.js';
import {
  resolveConnectorConfig,
  type ConnectorConfig,
  type ConnectorConfigInput,
} from './connector-config.js';
import { ConnectorError } from './connector-error.js';
import { errorCodeOf, toConnectorError, type OperationKind } from './connector-error-mapping.js';
import { ensureConfiguredTopology, type ConfiguredTopology } from './configured-topology.js';
import {
  storeOffsetAsMember,
  type ConnectorSession,
  type JoinedGroup,
  type SessionFactory,
} from './connector-session.js';
import { createIfMissing } from './create-if-missing.js';
import { GroupJoins } from './group-joins.js';
import type { IggyConnector, OffsetOwner, PartitionLag, TopicInfo, TopicSpec } from './iggy-connector.js';
import type { MessageSubscriber, SubscribeOptions } from './message-subscriber.js';
import { PollingSubscriber, type SubscriptionTarget } from './polling-subscriber.js';
import { PublishBatcher, type PublishBatchObserver } from './publish-batcher.js';
import type { PublishRequest } from './publish-request.js';
import { sessionPublishSink } from './session-publish-sink.js';
import {
  subscribeDefaults,
  subscriptionSettings,
  type SubscriptionSettings,
} from './subscription-settings.js';
import { joinGroupTarget, partitionTarget } from './subscription-targets.js';
import { checkName, checkTopicSpec, ownerConsumer, partitionLag, toTopicInfo } from './topic-info.js';
import { waitAtMost } from './wait-at-most.js';

type State = 'idle' | 'connecting' | 'connected' | 'closing' | 'closed';

/** Codes after which a group offset can only be stored by a member owning the partition. */
const NOT_A_MEMBER: ReadonlySet<number> = new Set([
  IggyErrorCode.ConsumerGroupMemberNotFound,
  IggyErrorCode.NotResolvedConsumer,
]);

export { subscribeDefaults } from './subscription-settings.js';

/**
 * The one connector, over a `SessionFactory` (the embedded broker's in-process sessions, or connections to
 * a remote server; a subclass says which): the connection state (every method before `connect` or after
 * `shutdown` fails with `NotConnected`), error mapping to `ConnectorError` kinds, the publish path
 * (`PublishBatcher`: coalesced per partition, bounded, in order), subscriptions (each on its own session),
 * topology create-if-missing, offsets and lag, all through IggySession's commands.
 */
export abstract class ConnectorBase<
  Sessions extends SessionFactory = SessionFactory,
> implements IggyConnector {
  private state: State = 'idle';
  private resolved: ConnectorConfig | undefined;
  private readonly subscribers = new Set<PollingSubscriber>();
  private readonly joins = new GroupJoins();
  private stopping: Promise<void> | undefined;
  private batcher: PublishBatcher | undefined;
  private batchObserver: PublishBatchObserver | undefined;
  private topologyFound: ConfiguredTopology | undefined;
  /** Where the sessions come from, while connected. */
  protected sessions: Sessions | undefined;

  get config(): ConnectorConfig | undefined {
    return this.resolved;
  }

  /** What `connect` found or made of the configured stream and topic; undefined with `ensureTopology: false`. */
  get topology(): ConfiguredTopology | undefined {
    return this.topologyFound;
  }

  isConnected(): boolean {
    return this.state === 'connected' && this.sessions?.main.isConnected?.() !== false;
  }

  /**
   * The Iggy server version behind the connector (the embedded broker's own, e.g. `0.8.0-embedded`; a
   * remote server's as it reported it after the last login); null when unknown or not connected.
   */
  get serverVersion(): string | null {
    return this.sessions?.serverVersion ?? null;
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
    const batcher = new PublishBatcher(
      sessionPublishSink(() => this.main()),
      resolved.publish,
    );
    batcher.observer = this.batchObserver;
    this.state = 'connecting';
    try {
      this.sessions = await this.openSessions(resolved);
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
        { cause, code: cause.code },
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
      const sessions = this.sessions;
      this.sessions = undefined;
      await sessions?.close();
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
      const target = partitionTarget(info, partition, consumerName, options.startFrom ?? 'committed', what);
      return this.startSubscription(await this.openSession(), stream, topic, target, settings);
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
      const session = await this.openSession();
      try {
        const named = { streamId: stream, topicId: topic, groupId: group };
        const { target, joined } = await joinGroupTarget(
          session,
          named,
          info,
          options.startFrom ?? 'committed',
          this.joins,
        );
        return this.startSubscription(session, stream, topic, target, settings, joined);
      } catch (err) {
        await session.close().catch(() => undefined);
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
      const request = { streamId: stream, topicId: topic, consumer, partitionId: partition, offset };
      if (owner.kind === 'consumer') return this.main().storeOffset(request);
      // A group offset is stored by a member owning the partition: one of ours, else a short-lived member.
      for (const subscriber of this.subscribers) {
        if (!subscriber.isGroupOn(stream, topic, owner.name)) continue;
        try {
          return await subscriber.storeOffsetAt(partition, offset);
        } catch (err) {
          if (!NOT_A_MEMBER.has(errorCodeOf(err) ?? -1)) throw err;
        }
      }
      const group = { streamId: stream, topicId: topic, groupId: owner.name };
      await storeOffsetAsMember(await this.openSession(), group, request, this.joins);
    });
  }

  consumerLag(stream: string, topic: string, owner: OffsetOwner): Promise<PartitionLag[]> {
    const what = `lag of ${owner.kind} '${owner.name}' on '${stream}/${topic}'`;
    return this.wrap('Iggy', what, async () => {
      const info = await this.requireTopic(stream, topic, 'Iggy');
      const consumer = ownerConsumer(owner);
      const stored = await Promise.all(
        info.partitions.map((p) =>
          this.main().getOffset({ streamId: stream, topicId: topic, consumer, partitionId: p.id }),
        ),
      );
      return info.partitions.map((p, i) => partitionLag(p, stored[i] ?? null));
    });
  }

  ping(): Promise<number> {
    return this.wrap('Iggy', 'ping', async () => {
      const start = performance.now();
      await this.main().ping();
      return performance.now() - start;
    });
  }

  ensureStream(name: string): Promise<void> {
    return this.wrap('Topology', `ensure stream '${name}'`, async () => {
      checkName('stream name', name, 'Topology');
      await createIfMissing(
        async () => (await this.main().getStream({ streamId: name })) !== null,
        () => this.main().createStream({ name }),
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
        () =>
          this.main().createTopic({
            streamId: stream,
            name: spec.name,
            partitionsCount: spec.partitions,
            messageExpiry: spec.messageExpiryMicros ?? 0n,
            maxTopicSize: spec.maxTopicSizeBytes ?? 0n,
            replicationFactor: spec.replicationFactor ?? 1,
          }),
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
  /** Opens the transport and logs in: the factory of this connection's sessions. */
  protected abstract openSessions(config: ConnectorConfig): Promise<Sessions>;

  /** The config, or `NotConnected`. */
  protected requireConnected(): ConnectorConfig {
    if (this.state !== 'connected' || !this.resolved) {
      const why =
        this.state === 'closed' || this.state === 'closing' ? 'has been shut down' : 'is not connected';
      throw new ConnectorError('NotConnected', `${this.label} ${why}`);
    }
    return this.resolved;
  }

  /** The connector's own session, or `NotConnected`. */
  private main(): ConnectorSession {
    if (!this.sessions) throw new ConnectorError('NotConnected', `${this.label} is not connected`);
    return this.sessions.main;
  }

  /** A new session for one subscription (or a short-lived group member). */
  private openSession(): Promise<ConnectorSession> {
    if (!this.sessions) throw new ConnectorError('NotConnected', `${this.label} is not connected`);
    return this.sessions.open();
  }

  private fetchTopic(stream: string, topic: string): Promise<TopicDetails | null> {
    return this.main().getTopic({ streamId: stream, topicId: topic });
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
        code: IggyErrorCode.TopicNameNotFound,
      });
    }
    return toTopicInfo(details);
  }

  private startSubscription(
    session: ConnectorSession,
    stream: string,
    topic: string,
    target: SubscriptionTarget,
    settings: SubscriptionSettings,
    joined?: JoinedGroup,
  ): PollingSubscriber {
    const subscriber: PollingSubscriber = new PollingSubscriber(
      session,
      { stream, topic, target, ...settings },
      { joined, joins: this.joins, onClose: () => this.subscribers.delete(subscriber) },
    );
    this.subscribers.add(subscriber);
    return subscriber;
  }
}
