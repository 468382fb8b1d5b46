import type { ConsumerGroupDetails, GroupTarget } from '../protocol/commands/consumer-groups/index.js';
import type { TopicTarget } from '../protocol/commands/topics/index.js';
import { IggyErrorCode } from '../protocol/codes/error-codes.js';
import type { IggySession, StoreOffsetInput } from '../protocol/iggy-session.js';
import { createIfMissing } from './create-if-missing.js';
import type { GroupJoins } from './group-joins.js';

/**
 * A session a connector works over: `IggySession`'s commands, plus what some sessions can do beyond the
 * protocol. A remote `IggyClient` re-establishes itself (`epoch`, `isTransient`, `isConnected`); the
 * embedded broker's `BrokerSession` signals appends (`onAppend`) and tells a member its partitions
 * (`pollablePartitions`). A capability a session lacks is absent.
 */
export interface ConnectorSession extends IggySession {
  /** Bumped whenever the session was re-established (a reconnect): group membership is gone then. */
  readonly epoch?: number;
  /** A failure worth waiting out and retrying (the session is being re-established). */
  isTransient?(err: unknown): boolean;
  /** False while the session is down (being re-established). */
  isConnected?(): boolean;
  /**
   * Calls `listener(partitionId)` after messages were appended to the topic (they are readable by then);
   * returns a function that stops it. Without it, an idle subscriber polls on a timer.
   */
  onAppend?(target: TopicTarget, listener: (partitionId: number) => void): () => void;
  /**
   * The partitions this session's polls without a partition id rotate over, as a member of the group
   * (its own, less those it is handing over); undefined when it is not a member. With it, a member
   * reads its partitions by id instead of polling the group's next one to learn which it is.
   */
  pollablePartitions?(target: GroupTarget): readonly number[] | undefined;
}

/** Where a connector's sessions come from: the embedded broker, or a remote server. */
export interface SessionFactory {
  /** The connector's own session: publishes, topology, offsets, pings. */
  readonly main: ConnectorSession;
  /** A new session of the same user, for one subscription (group membership is per session). */
  open(): Promise<ConnectorSession>;
  /** Closes `main` and whatever the factory runs (the embedded broker and its listeners). */
  close(): Promise<void>;
  /** The Iggy server version behind the sessions; null when unknown. */
  readonly serverVersion: string | null;
}

/** What a subscription uses of its session (its own: group membership belongs to the session). */
export type SubscriptionSession = Pick<
  ConnectorSession,
  | 'pollMessages'
  | 'pollMessagesRun'
  | 'storeOffset'
  | 'getConsumerGroup'
  | 'createConsumerGroup'
  | 'joinConsumerGroup'
  | 'leaveConsumerGroup'
  | 'close'
  | 'epoch'
  | 'isTransient'
  | 'isConnected'
  | 'onAppend'
  | 'pollablePartitions'
>;

/** The group `name` of a topic, as the group commands address it. */
export interface NamedGroup extends TopicTarget {
  groupId: string;
}

/** What a join saw of the group. */
export interface JoinedGroup {
  /** The ids of the group's members read just before the join (none when the join created the group). */
  membersBefore: readonly number[];
  /** The ids read just after it; undefined when that read failed (the join stands). */
  membersAfter?: readonly number[];
}

/**
 * Creates the group when missing (a racing create is success), then joins it as `session`; reads the
 * members after the join too unless `membersAfter` is false (a member that will not tell its partitions).
 */
export async function joinGroup(
  session: SubscriptionSession,
  target: NamedGroup,
  membersAfter = true,
): Promise<JoinedGroup> {
  const { streamId, topicId, groupId } = target;
  const seen: { group: ConsumerGroupDetails | null } = { group: null };
  await createIfMissing(
    async () => (seen.group = await session.getConsumerGroup(target)) !== null,
    () => session.createConsumerGroup({ streamId, topicId, name: groupId }),
    IggyErrorCode.ConsumerGroupNameAlreadyExists,
  );
  await session.joinConsumerGroup(target);
  const after = membersAfter ? await session.getConsumerGroup(target).catch(() => null) : null;
  return {
    membersBefore: seen.group?.members.map((m) => m.id) ?? [],
    membersAfter: after?.members.map((m) => m.id),
  };
}

/** Leaves the group; nothing to do while the session is down (its membership ends with it). */
export async function leaveGroup(session: SubscriptionSession, target: NamedGroup): Promise<void> {
  if (session.isConnected?.() === false) return;
  await session.leaveConsumerGroup(target);
}

/** Stores a group's offset as a short-lived member: `session` joins (through `joins`), stores, leaves, and is closed. */
export async function storeOffsetAsMember(
  session: ConnectorSession,
  group: NamedGroup,
  request: StoreOffsetInput,
  joins: GroupJoins,
): Promise<void> {
  try {
    await joins.join(session, group, false);
    await session.storeOffset(request);
  } finally {
    await leaveGroup(session, group).catch(() => undefined);
    await session.close().catch(() => undefined);
  }
}
