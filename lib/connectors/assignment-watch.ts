import type { ConsumerGroupMember } from '../protocol/commands/consumer-groups/index.js';
import type { JoinedGroup, NamedGroup, SubscriptionSession } from './connector-session.js';
import type { GroupAssignment } from './message-subscriber.js';

export const DEFAULT_ASSIGNMENT_CHECK_MS = 5_000;

/**
 * The partitions a consumer group assigns to one member (a subscription's session), read from the group's
 * members (GetConsumerGroup) while someone listens: after each join, every `everyMs`, and at once when a
 * poll returned a partition outside the known set. Listeners hear the first set and every change.
 *
 * The server lists members by a member id of its own, handed out on join as one more than the highest
 * present, so this member is one of those present just after its join and not just before it (its
 * connector's joins of a group never overlap: `GroupJoins`). When another process joined in between, the
 * candidates narrow as the others leave, or the owner of a partition a poll returned is picked. Reads made
 * over a session that was re-established since the join are dropped (the membership went with it; the
 * re-join starts over). A failed read is simply tried at the next tick.
 */
export class AssignmentWatch {
  private readonly listeners = new Set<(assignment: GroupAssignment) => void>();
  /** Ids of the members present just before the last join, until the first read after it. */
  private before: ReadonlySet<number> | undefined;
  /** Member ids that may be this session's. */
  private candidates = new Set<number>();
  /** Joins seen, and the session's epoch at the last one. */
  private joins = 0;
  private joinedEpoch = 0;
  /** A partition a poll returned that the known set lacks: its owner is this member. */
  private hint: number | undefined;
  private partitions: readonly number[] | null = null;
  private known = new Set<number>();
  private timer: NodeJS.Timeout | undefined;
  private reading = false;
  private readAgain = false;

  constructor(
    private readonly session: Pick<SubscriptionSession, 'getConsumerGroup' | 'epoch'>,
    private readonly group: NamedGroup,
    private readonly everyMs = DEFAULT_ASSIGNMENT_CHECK_MS,
  ) {}

  /** The session joined the group (again). */
  joined(join: JoinedGroup): void {
    const before = new Set(join.membersBefore);
    // Without the read just after the join, the first read after it stands in (later joiners included).
    this.before = join.membersAfter ? undefined : before;
    this.candidates = new Set(join.membersAfter?.filter((id) => !before.has(id)));
    this.joins++;
    this.joinedEpoch = this.session.epoch ?? 0;
    this.refresh();
  }

  /** A poll returned messages of `partition`. */
  polled(partition: number): void {
    if (this.listeners.size === 0 || this.known.has(partition)) return;
    this.hint = partition;
    this.refresh();
  }

  listen(listener: (assignment: GroupAssignment) => void): () => void {
    this.listeners.add(listener);
    if (this.listeners.size === 1) {
      this.timer = setInterval(() => this.refresh(), this.everyMs);
      this.timer.unref();
      this.refresh();
    } else if (this.partitions !== null) {
      listener({ partitions: this.partitions, previous: null });
    }
    return () => {
      if (this.listeners.delete(listener) && this.listeners.size === 0) this.stopTimer();
    };
  }

  close(): void {
    this.listeners.clear();
    this.stopTimer();
  }

  /** Reads the group unless nobody listens; one read at a time, a request during one runs after it. */
  private refresh(): void {
    if (this.listeners.size === 0 || this.joins === 0) return;
    if (this.reading) {
      this.readAgain = true;
      return;
    }
    this.reading = true;
    void this.read().finally(() => {
      this.reading = false;
      if (this.readAgain) {
        this.readAgain = false;
        this.refresh();
      }
    });
  }

  private async read(): Promise<void> {
    const joins = this.joins;
    if (!this.sameMembership(joins)) return;
    let members: ConsumerGroupMember[];
    try {
      const details = await this.session.getConsumerGroup(this.group);
      if (!details) return;
      members = details.members;
    } catch {
      return;
    }
    if (!this.sameMembership(joins) || this.listeners.size === 0) return;
    const mine = this.identify(members);
    if (mine) this.update([...mine.partitions].sort((a, b) => a - b));
  }

  /** No join since the `joins`th, and the session not re-established since. */
  private sameMembership(joins: number): boolean {
    return joins === this.joins && (this.session.epoch ?? 0) === this.joinedEpoch;
  }

  /** This session's member among `members`, when it can be told apart. */
  private identify(members: ConsumerGroupMember[]): ConsumerGroupMember | undefined {
    const before = this.before;
    this.before = undefined;
    const ids = members.map((m) => m.id);
    this.candidates = new Set(
      before ? ids.filter((id) => !before.has(id)) : ids.filter((id) => this.candidates.has(id)),
    );
    const hint = this.hint;
    this.hint = undefined;
    const owner = hint === undefined ? undefined : members.find((m) => m.partitions.includes(hint));
    // A poll's partition settles which candidate is this member; it never overrides a known one (the
    // partition may have moved since), only an unknown one.
    if (owner && (this.candidates.size === 0 || this.candidates.has(owner.id)))
      this.candidates = new Set([owner.id]);
    if (this.candidates.size !== 1) return undefined;
    const [id] = this.candidates;
    return members.find((m) => m.id === id);
  }

  private update(partitions: readonly number[]): void {
    const previous = this.partitions;
    if (previous !== null && sameSet(previous, partitions)) return;
    this.partitions = partitions;
    this.known = new Set(partitions);
    for (const listener of this.listeners) {
      try {
        listener({ partitions, previous });
      } catch {
        // a listener must not throw; one that does does not stop the others
      }
    }
  }

  private stopTimer(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}

function sameSet(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((p, i) => p === b[i]);
}
