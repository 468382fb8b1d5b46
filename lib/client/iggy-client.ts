import type { CommandCodec } from '../protocol/command-codec.js';
import {
  getClientCodec,
  getClientsCodec,
  getMeCodec,
  type ClientDetails,
  type ClientInfo,
  type GetClientRequest,
} from '../protocol/commands/clients/index.js';
import {
  createConsumerGroupCodec,
  deleteConsumerGroupCodec,
  getConsumerGroupCodec,
  getConsumerGroupsCodec,
  joinConsumerGroupCodec,
  leaveConsumerGroupCodec,
  type ConsumerGroup,
  type ConsumerGroupDetails,
  type CreateConsumerGroupRequest,
  type GroupTarget,
} from '../protocol/commands/consumer-groups/index.js';
import {
  deleteConsumerOffsetCodec,
  getOffsetCodec,
  storeOffsetCodec,
  type ConsumerOffsetInfo,
} from '../protocol/commands/consumer-offsets/index.js';
import {
  decodePollResponseRun,
  encodeSendMessagesParts,
  flushUnsavedBufferCodec,
  pollMessagesCodec,
  sendMessagesCodec,
  type FlushUnsavedBufferRequest,
  type PolledRun,
  type SendMessagesRequest,
} from '../protocol/commands/messages/index.js';
import { MessageRun } from '../protocol/messages/message-run.js';
import {
  loginUserCodec,
  loginWithAccessTokenCodec,
  logoutUserCodec,
  type IdentityInfo,
} from '../protocol/commands/session/index.js';
import {
  getClusterMetadataCodec,
  getSnapshotCodec,
  getStatsCodec,
  pingCodec,
  type ClusterMetadata,
  type GetSnapshotRequest,
  type Stats,
} from '../protocol/commands/system/index.js';
import type { TopicTarget } from '../protocol/commands/topics/index.js';
import type {
  IggySession,
  OffsetTarget,
  PollInput,
  DecodedPollResult,
  StoreOffsetInput,
} from '../protocol/iggy-session.js';
import { parseConnectionString } from './connection-string.js';
import { IggyCatalogCommands } from './iggy-catalog-commands.js';
import type { IggyClientOptions, IggyCredentials } from './options.js';

/**
 * A client for a real Iggy server (0.7 binary protocol) over one TCP or TLS connection.
 *
 * ```ts
 * const client = IggyClient.fromConnectionString('iggy://iggy:iggy@127.0.0.1:8090');
 * await client.connect();           // connects and logs in
 * const stream = await client.createStream({ name: 'orders' });
 * await client.close();
 * ```
 * Every command of `IggySession` (documented there) is one method, a thin `request(codec, request)`;
 * the catalog commands (streams, topics, users...) are inherited from `IggyCatalogCommands`.
 * Requests are pipelined; see `IggyClientCore` for timeouts, the in-flight window and reconnection.
 * Server errors reject with `IggyError`, everything else with `IggyClientError`.
 */
export class IggyClient extends IggyCatalogCommands implements IggySession {
  private serverVersionValue: string | null = null;

  constructor(options: IggyClientOptions = {}) {
    super(options);
  }

  /**
   * The server's version (`0.7.0`, `0.8.0`...) as it reported it after the last login; null before, or
   * when it would not tell (a user without the read-servers right, `detectServerVersion: false`).
   */
  get serverVersion(): string | null {
    return this.serverVersionValue;
  }

  /** A client from a connection string (see `parseConnectionString`); `overrides` win over it. */
  static fromConnectionString(connectionString: string, overrides: IggyClientOptions = {}): IggyClient {
    return new IggyClient({ ...parseConnectionString(connectionString), ...overrides });
  }

  protected async authenticate(
    credentials: IggyCredentials,
    send: <Req, Res>(codec: CommandCodec<Req, Res>, request: Req) => Promise<Res>,
  ): Promise<void> {
    if ('token' in credentials) await send(loginWithAccessTokenCodec, { token: credentials.token });
    else await send(loginUserCodec, { username: credentials.username, password: credentials.password });
  }

  protected async onLoggedIn(
    send: <Req, Res>(codec: CommandCodec<Req, Res>, request: Req) => Promise<Res>,
  ): Promise<void> {
    if (!this.options.detectServerVersion) return;
    try {
      this.serverVersionValue = (await send(getStatsCodec, undefined)).iggyServerVersion || null;
    } catch {
      this.serverVersionValue = null; // not allowed to read stats, or an older server: unknown
    }
  }

  protected sendHeartbeat(): Promise<unknown> {
    return this.ping();
  }

  // ── session ────────────────────────────────────────────────────────────────────────────────────

  /** Logs in; the credentials are kept and used again after every reconnect. */
  async login(username: string, password: string): Promise<IdentityInfo> {
    const identity = await this.request(loginUserCodec, { username, password });
    this.credentials = { username, password };
    await this.onLoggedIn((codec, request) => this.request(codec, request));
    return identity;
  }

  /** Logs in with a personal access token; kept for re-login like `login`. */
  async loginWithToken(token: string): Promise<IdentityInfo> {
    const identity = await this.request(loginWithAccessTokenCodec, { token });
    this.credentials = { token };
    await this.onLoggedIn((codec, request) => this.request(codec, request));
    return identity;
  }

  /** Logs out; later reconnects do not log in again. */
  async logout(): Promise<void> {
    await this.request(logoutUserCodec, undefined);
    this.credentials = undefined;
  }

  // ── system ─────────────────────────────────────────────────────────────────────────────────────

  ping(): Promise<void> {
    return this.request(pingCodec, undefined);
  }

  getStats(): Promise<Stats> {
    return this.request(getStatsCodec, undefined);
  }

  /** The server's diagnostic snapshot: a compressed archive, as bytes. */
  getSnapshot(request: GetSnapshotRequest): Promise<Buffer> {
    return this.request(getSnapshotCodec, request);
  }

  getClusterMetadata(): Promise<ClusterMetadata> {
    return this.request(getClusterMetadataCodec, undefined);
  }

  /** This connection as the server sees it. */
  getMe(): Promise<ClientDetails> {
    return this.request(getMeCodec, undefined);
  }

  getClient(request: GetClientRequest): Promise<ClientDetails | null> {
    return this.request(getClientCodec, request);
  }

  getClients(): Promise<ClientInfo[]> {
    return this.request(getClientsCodec, undefined);
  }

  // ── consumer groups ────────────────────────────────────────────────────────────────────────────

  getConsumerGroup(request: GroupTarget): Promise<ConsumerGroupDetails | null> {
    return this.request(getConsumerGroupCodec, request);
  }

  getConsumerGroups(request: TopicTarget): Promise<ConsumerGroup[]> {
    return this.request(getConsumerGroupsCodec, request);
  }

  createConsumerGroup(request: CreateConsumerGroupRequest): Promise<ConsumerGroupDetails> {
    return this.request(createConsumerGroupCodec, request);
  }

  deleteConsumerGroup(request: GroupTarget): Promise<void> {
    return this.request(deleteConsumerGroupCodec, request);
  }

  /** Joins on this connection; membership ends with the connection (rejoin after a reconnect). */
  joinConsumerGroup(request: GroupTarget): Promise<void> {
    return this.request(joinConsumerGroupCodec, request);
  }

  leaveConsumerGroup(request: GroupTarget): Promise<void> {
    return this.request(leaveConsumerGroupCodec, request);
  }

  // ── messages and offsets ─────────────────────────────────────────────────────────────────────────

  /** Appends one batch; resolves when the server acknowledged it (in memory on the server, not fsynced). */
  sendMessages(request: SendMessagesRequest): Promise<void> {
    return this.requestWith(sendMessagesCodec, request, { encode: encodeSendMessagesParts });
  }

  /** Polls messages; payloads are views into the received frame. */
  async pollMessages(request: PollInput): Promise<DecodedPollResult> {
    const polled = await this.request(pollMessagesCodec, {
      partitionId: null,
      autoCommit: false,
      ...request,
    });
    const messages = polled.messages instanceof MessageRun ? polled.messages.decode() : [...polled.messages];
    return { partitionId: polled.partitionId, currentOffset: polled.currentOffset, messages };
  }

  /**
   * Polls messages and keeps them encoded: `messages` is the validated run as received, to decode on
   * demand (`iterate()`, `decode()`) or to pass on as bytes, for consumers that need no objects.
   */
  pollMessagesRun(request: PollInput): Promise<PolledRun> {
    return this.requestWith(
      pollMessagesCodec,
      { partitionId: null, autoCommit: false, ...request },
      { decode: decodePollResponseRun },
    );
  }

  flushUnsavedBuffer(request: FlushUnsavedBufferRequest): Promise<void> {
    return this.request(flushUnsavedBufferCodec, request);
  }

  getOffset(request: OffsetTarget): Promise<ConsumerOffsetInfo | null> {
    return this.request(getOffsetCodec, { partitionId: null, ...request });
  }

  storeOffset(request: StoreOffsetInput): Promise<void> {
    return this.request(storeOffsetCodec, { partitionId: null, ...request });
  }

  deleteConsumerOffset(request: OffsetTarget): Promise<void> {
    return this.request(deleteConsumerOffsetCodec, { partitionId: null, ...request });
  }
}
