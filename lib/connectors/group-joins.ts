import {
  joinGroup,
  type JoinedGroup,
  type NamedGroup,
  type SubscriptionSession,
} from './connector-session.js';

/**
 * One connector's group joins, one at a time per group. A join reads the group's members just before and
 * just after it, which is how `AssignmentWatch` tells its own member apart; two overlapping joins would each count the
 * other's member as possibly theirs, and neither could tell its partitions until a poll or a leave settled it.
 * Joins from other processes may still overlap: `AssignmentWatch` narrows those down.
 */
export class GroupJoins {
  /** Per group, the last join queued (settled either way). */
  private readonly tails = new Map<string, Promise<void>>();

  /** `joinGroup` after this connector's joins of the group queued before. */
  join(session: SubscriptionSession, group: NamedGroup, membersAfter = true): Promise<JoinedGroup> {
    const key = `${group.streamId}\u0000${group.topicId}\u0000${group.groupId}`;
    const joined = (this.tails.get(key) ?? Promise.resolve()).then(() =>
      joinGroup(session, group, membersAfter),
    );
    const tail = joined.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return joined;
  }
}
