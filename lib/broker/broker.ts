import type { AppendListener } from './partitions/append-signals.js';
import { BrokerSession } from './broker-session.js';
import { resolveBrokerConfig, type BrokerConfig, type ResolvedBrokerConfig } from './broker-config.js';
import { inspectBroker, type BrokerOverview } from './broker-inspection.js';
import * as catalogCommands from './commands/catalog-commands.js';
import * as groupCommands from './commands/group-commands.js';
import { nowMicros } from '../protocol/messages/clock.js';
import type { BrokerState } from './broker-state.js';
import * as messageCommands from './commands/message-commands.js';
import type { ConsumerOffsetRequest, PollRequest } from './commands/message-commands.js';
import type { MetadataFile } from './metadata/metadata-file.js';
import { openState } from './bootstrap.js';
import { rootHasDefaultPassword } from './metadata/root-credentials.js';
import { MaintenanceTimers } from './maintenance-timers.js';
import { runRetention, type RetentionReport } from './partitions/retention.js';
import * as systemCommands from './commands/system-commands.js';
import * as userCommands from './commands/user-commands.js';
import { Transport } from './types.js';
import { ROOT_USER_ID } from './metadata/users.js';
import type { ConsumerGroupView } from './commands/views.js';
import type {
  AccessTokenInfo,
  ClientDetails,
  ClientInfo,
  ConsumerGroup,
  ConsumerOffsetInfo,
  CreateTopicOptions,
  CreateUserOptions,
  Identifier,
  IdentityInfo,
  Partitioning,
  Permissions,
  PollResult,
  RawAccessToken,
  SendResult,
  Stats,
  Stream,
  StreamDetails,
  Topic,
  TopicDetails,
  TransportValue,
  UpdateTopicOptions,
  UserDetails,
  UserInfo,
} from './types.js';

/** How often pending consumer-group hand-overs are checked for their timeout (the real server's 5 s). */
const REBALANCE_CHECK_MS = 5_000;

/**
 * An in-process, Iggy-compatible broker (server 0.7.0 semantics). Every command takes the caller's
 * client id (from `connectClient`); all but login need a logged-in client. Failures are `BrokerError`s
 * carrying the real server's error code. The work is done by `commands/`, on `metadata/` and `partitions/`.
 */
export class Broker {
  private closed = false;
  private readonly timers: MaintenanceTimers;

  private constructor(
    private readonly ctx: BrokerState,
    private readonly metadata: MetadataFile | null,
    /**
     * The root password this start generated (a first boot without `rootPassword`), else null. It is
     * never logged; the `iggy-embedded` CLI prints it once, as the real server does.
     */
    readonly generatedRootPassword: string | null,
  ) {
    this.timers = new MaintenanceTimers((message) => ctx.config.logger.error(message));
  }

  /**
   * Starts a broker: creates the data directory when missing (with its parents), takes its lock, loads
   * the metadata snapshot, opens (and recovers) every partition, creates the root user on first boot,
   * starts the retention timer.
   */
  static async open(config: BrokerConfig = { persistent: false }): Promise<Broker> {
    const { ctx, metadata, generatedRootPassword } = await openState(resolveBrokerConfig(config));
    const broker = new Broker(ctx, metadata, generatedRootPassword);
    broker.startTimers();
    return broker;
  }

  /** Stops the timers, waits for pending metadata writes, flushes and closes every partition, releases the lock. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.timers.stop();
    this.ctx.clients.close();
    try {
      await this.ctx.exclusive(async () => {
        await this.metadata?.drain();
        await this.ctx.partitions.closeAll();
      });
    } finally {
      await this.ctx.backend.close();
    }
  }

  get config(): ResolvedBrokerConfig {
    return this.ctx.config;
  }

  /** Whether the root user still has the well-known default password `iggy` (an Argon2 check). */
  rootHasDefaultPassword(): Promise<boolean> {
    return rootHasDefaultPassword(this.ctx.users);
  }

  // Sessions

  /** A new client (connection); `address` is `ip:port` or any label. Returns its id. */
  connectClient(transport: TransportValue, address: string): number {
    return this.ctx.clients.connect(transport, address);
  }

  /**
   * An in-process session: a new client already logged in as `user` (id or name; default the root
   * user), without a password check — so it costs no Argon2 verification. For code running in this
   * process only (the embedded connector's subscriptions, tools holding this `Broker` object), and for
   * the HTTP API's per-request sessions, once the request's JWT (issued by this broker after a password
   * or personal access token login) is verified: nothing on the network reaches it without a login. The
   * client is listed under `label`; end it with `disconnectClient`. ResourceNotFound (20) for an unknown
   * user, UserInactive (47).
   */
  connectInternalClient(
    user: Identifier = ROOT_USER_ID,
    label = 'in-process',
    transport: TransportValue = Transport.Tcp,
  ): number {
    return userCommands.connectInternalClient(this.ctx, user, transport, label);
  }

  /**
   * `connectInternalClient` as a `BrokerSession`: IggyClient's commands on a client already logged in as
   * `user` (default the root user), for code in this process (the embedded connector).
   */
  openSession(
    user: Identifier = ROOT_USER_ID,
    label = 'in-process',
    transport: TransportValue = Transport.Tcp,
  ): BrokerSession {
    return new BrokerSession(this.ctx, userCommands.connectInternalClient(this.ctx, user, transport, label));
  }

  /**
   * A session of a new client (connection), not logged in: `address` is `ip:port` or any label. Its
   * `login` checks the password (throttled per address); `close` disconnects it.
   */
  connect(transport: TransportValue, address: string): BrokerSession {
    return new BrokerSession(this.ctx, this.ctx.clients.connect(transport, address));
  }

  /** The client is gone: it leaves every group it joined (full rebalance of each). */
  disconnectClient(clientId: number): void {
    systemCommands.disconnectClient(this.ctx, clientId);
  }

  /** `clientVersion`: LoginUser's `version`, which may say the client wants 0.7 answers (see `BrokerConfig.serverVersion`). */
  loginUser(
    clientId: number,
    username: string,
    password: string,
    clientVersion?: string,
  ): Promise<IdentityInfo> {
    return userCommands.loginUser(this.ctx, clientId, username, password, clientVersion);
  }

  loginWithAccessToken(clientId: number, token: string): Promise<IdentityInfo> {
    return userCommands.loginWithAccessToken(this.ctx, clientId, token);
  }

  logoutUser(clientId: number): void {
    userCommands.logoutUser(this.ctx, clientId);
  }

  // System

  getStats(clientId: number): Stats {
    return systemCommands.getStats(this.ctx, clientId);
  }

  getMe(clientId: number): ClientDetails {
    return systemCommands.getMe(this.ctx, clientId);
  }

  getClient(clientId: number, targetClientId: number): ClientDetails | null {
    return systemCommands.getClient(this.ctx, clientId, targetClientId);
  }

  getClients(clientId: number): ClientInfo[] {
    return systemCommands.getClients(this.ctx, clientId);
  }

  // Streams, topics, partitions, segments

  createStream(clientId: number, name: string): Promise<StreamDetails> {
    return catalogCommands.createStream(this.ctx, clientId, name);
  }

  getStream(clientId: number, streamId: Identifier): StreamDetails | null {
    return catalogCommands.getStream(this.ctx, clientId, streamId);
  }

  getStreams(clientId: number): Stream[] {
    return catalogCommands.getStreams(this.ctx, clientId);
  }

  updateStream(clientId: number, streamId: Identifier, name: string): Promise<void> {
    return catalogCommands.updateStream(this.ctx, clientId, streamId, name);
  }

  deleteStream(clientId: number, streamId: Identifier): Promise<void> {
    return catalogCommands.deleteStream(this.ctx, clientId, streamId);
  }

  purgeStream(clientId: number, streamId: Identifier): Promise<void> {
    return catalogCommands.purgeStream(this.ctx, clientId, streamId);
  }

  createTopic(clientId: number, streamId: Identifier, options: CreateTopicOptions): Promise<TopicDetails> {
    return catalogCommands.createTopic(this.ctx, clientId, streamId, options);
  }

  getTopic(clientId: number, streamId: Identifier, topicId: Identifier): TopicDetails | null {
    return catalogCommands.getTopic(this.ctx, clientId, streamId, topicId);
  }

  getTopics(clientId: number, streamId: Identifier): Topic[] {
    return catalogCommands.getTopics(this.ctx, clientId, streamId);
  }

  updateTopic(
    clientId: number,
    streamId: Identifier,
    topicId: Identifier,
    options: UpdateTopicOptions,
  ): Promise<void> {
    return catalogCommands.updateTopic(this.ctx, clientId, streamId, topicId, options);
  }

  deleteTopic(clientId: number, streamId: Identifier, topicId: Identifier): Promise<void> {
    return catalogCommands.deleteTopic(this.ctx, clientId, streamId, topicId);
  }

  purgeTopic(clientId: number, streamId: Identifier, topicId: Identifier): Promise<void> {
    return catalogCommands.purgeTopic(this.ctx, clientId, streamId, topicId);
  }

  /** Returns the new partitions' ids. */
  createPartitions(
    clientId: number,
    streamId: Identifier,
    topicId: Identifier,
    count: number,
  ): Promise<number[]> {
    return catalogCommands.createPartitions(this.ctx, clientId, streamId, topicId, count);
  }

  /** Returns the removed partitions' ids (the last ones). */
  deletePartitions(
    clientId: number,
    streamId: Identifier,
    topicId: Identifier,
    count: number,
  ): Promise<number[]> {
    return catalogCommands.deletePartitions(this.ctx, clientId, streamId, topicId, count);
  }

  deleteSegments(
    clientId: number,
    streamId: Identifier,
    topicId: Identifier,
    partitionId: number,
    count: number,
  ): Promise<void> {
    return catalogCommands.deleteSegments(this.ctx, clientId, streamId, topicId, partitionId, count);
  }

  // Messages and offsets

  /** Appends `count` messages (wire layout, back to back; stamped in place) to the partition `partitioning` picks. */
  sendMessages(
    clientId: number,
    streamId: Identifier,
    topicId: Identifier,
    partitioning: Partitioning,
    messages: Buffer,
    count: number,
  ): Promise<SendResult> {
    return messageCommands.sendMessages(this.ctx, clientId, streamId, topicId, partitioning, messages, count);
  }

  pollMessages(clientId: number, request: PollRequest): Promise<PollResult> {
    return messageCommands.pollMessages(this.ctx, clientId, request);
  }

  /**
   * In-process only: calls `listener(partitionId)` after every append to a partition of the topic (the
   * messages are readable by then), so a subscriber in this process can wait for data instead of
   * polling on a timer. Returns a function that removes the listener. Like `inspect`, no session: for
   * code holding this object; the TCP and HTTP adapters never call it. The listener stays with the
   * topic it was added to (a topic deleted and created again needs a new one). A listener must not
   * block; one that throws is ignored. StreamIdNotFound / TopicIdNotFound when the topic does not exist.
   */
  onAppend(streamId: Identifier, topicId: Identifier, listener: AppendListener): () => void {
    const [, topic] = this.ctx.catalog.topic(streamId, topicId);
    return this.ctx.messaging.appends.listen(topic, listener);
  }

  flushUnsavedBuffer(
    clientId: number,
    streamId: Identifier,
    topicId: Identifier,
    partitionId: number,
    fsync: boolean,
  ): Promise<void> {
    return messageCommands.flushUnsavedBuffer(this.ctx, clientId, streamId, topicId, partitionId, fsync);
  }

  storeConsumerOffset(clientId: number, request: ConsumerOffsetRequest & { offset: bigint }): Promise<void> {
    return messageCommands.storeConsumerOffset(this.ctx, clientId, request);
  }

  getConsumerOffset(clientId: number, request: ConsumerOffsetRequest): ConsumerOffsetInfo | null {
    return messageCommands.getConsumerOffset(this.ctx, clientId, request);
  }

  deleteConsumerOffset(clientId: number, request: ConsumerOffsetRequest): Promise<void> {
    return messageCommands.deleteConsumerOffset(this.ctx, clientId, request);
  }

  // Consumer groups

  createConsumerGroup(
    clientId: number,
    streamId: Identifier,
    topicId: Identifier,
    name: string,
  ): Promise<ConsumerGroupView> {
    return groupCommands.createConsumerGroup(this.ctx, clientId, streamId, topicId, name);
  }

  getConsumerGroup(
    clientId: number,
    streamId: Identifier,
    topicId: Identifier,
    groupId: Identifier,
  ): ConsumerGroupView | null {
    return groupCommands.getConsumerGroup(this.ctx, clientId, streamId, topicId, groupId);
  }

  getConsumerGroups(clientId: number, streamId: Identifier, topicId: Identifier): ConsumerGroup[] {
    return groupCommands.getConsumerGroups(this.ctx, clientId, streamId, topicId);
  }

  deleteConsumerGroup(
    clientId: number,
    streamId: Identifier,
    topicId: Identifier,
    groupId: Identifier,
  ): Promise<void> {
    return groupCommands.deleteConsumerGroup(this.ctx, clientId, streamId, topicId, groupId);
  }

  joinConsumerGroup(clientId: number, streamId: Identifier, topicId: Identifier, groupId: Identifier): void {
    groupCommands.joinConsumerGroup(this.ctx, clientId, streamId, topicId, groupId);
  }

  leaveConsumerGroup(clientId: number, streamId: Identifier, topicId: Identifier, groupId: Identifier): void {
    groupCommands.leaveConsumerGroup(this.ctx, clientId, streamId, topicId, groupId);
  }

  // Users and personal access tokens

  createUser(clientId: number, options: CreateUserOptions): Promise<UserDetails> {
    return userCommands.createUser(this.ctx, clientId, options);
  }

  getUser(clientId: number, userId: Identifier): UserDetails | null {
    return userCommands.getUser(this.ctx, clientId, userId);
  }

  getUsers(clientId: number): UserInfo[] {
    return userCommands.getUsers(this.ctx, clientId);
  }

  updateUser(
    clientId: number,
    userId: Identifier,
    changes: { username?: string | null; status?: number | null },
  ): Promise<UserDetails> {
    return userCommands.updateUser(this.ctx, clientId, userId, changes);
  }

  updatePermissions(clientId: number, userId: Identifier, permissions: Permissions | null): Promise<void> {
    return userCommands.updatePermissions(this.ctx, clientId, userId, permissions);
  }

  changePassword(
    clientId: number,
    userId: Identifier,
    currentPassword: string,
    newPassword: string,
  ): Promise<void> {
    return userCommands.changePassword(this.ctx, clientId, userId, currentPassword, newPassword);
  }

  deleteUser(clientId: number, userId: Identifier): Promise<void> {
    return userCommands.deleteUser(this.ctx, clientId, userId);
  }

  createAccessToken(clientId: number, name: string, expiry: bigint): Promise<RawAccessToken> {
    return userCommands.createAccessToken(this.ctx, clientId, name, expiry);
  }

  getAccessTokens(clientId: number): AccessTokenInfo[] {
    return userCommands.getAccessTokens(this.ctx, clientId);
  }

  deleteAccessToken(clientId: number, name: string): Promise<void> {
    return userCommands.deleteAccessToken(this.ctx, clientId, name);
  }

  // Inspection (no session: the embedded server's HTTP stats API and metrics)

  /** A read-only picture of streams, topics, partitions, groups (members, offsets, lag) and counters. */
  inspect(): BrokerOverview {
    return inspectBroker(this.ctx);
  }

  // Maintenance (also run by timers)

  /** One retention pass (message expiry, max topic size), then expired tokens are dropped. */
  runRetention(): Promise<RetentionReport> {
    return this.ctx.exclusive(async () => {
      const now = nowMicros();
      const report = await runRetention(this.ctx.catalog, this.ctx.partitions, now);
      if (this.ctx.tokens.removeExpired(now) > 0) await this.ctx.persist();
      return report;
    });
  }

  /** Forces consumer-group hand-overs pending longer than the rebalancing timeout; returns how many. */
  checkRebalanceTimeouts(): number {
    return systemCommands.checkRebalanceTimeouts(this.ctx, Date.now());
  }

  private startTimers(): void {
    this.timers.every(this.ctx.config.retentionIntervalMs, () => this.runRetention(), 'retention');
    this.timers.every(
      REBALANCE_CHECK_MS,
      () => this.checkRebalanceTimeouts(),
      'consumer group hand-over check',
    );
  }
}
