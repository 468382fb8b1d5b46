import { Slab } from './slab.js';

/** A partition an over-assigned member is handing over to an idle one (cooperative rebalance). */
interface PendingRevocation {
  partitionId: number;
  targetSlot: number;
  targetMemberId: number;
  createdAtMs: number;
}

/** One joined client. */
export interface GroupMember {
  /** The member's id within the group: one more than the highest current id, or 0. */
  id: number;
  clientId: number;
  partitions: number[];
  /** Round-robin cursor over the member's partitions for polls without a partition id. */
  cursor: number;
  pending: PendingRevocation[];
}

/** Reads the group's committed offset of a partition (undefined when none is stored). */
export type CommittedOffset = (partitionId: number) => bigint | undefined;

/**
 * A consumer group's live membership (never persisted) and its partition assignment, following the
 * real server (0.7.0 `metadata/consumer_group.rs`, with the even two-pass hand-over of #3374):
 * - join: a cooperative rebalance. Unowned partitions go to idle members; members above their fair
 *   share mark their surplus (newest partitions first) as pending revocation towards idle members.
 *   A hand-over completes when the group's committed offset reaches the last offset polled on that
 *   partition (at once if it was never polled), or is forced after the rebalancing timeout.
 * - leave, disconnect, partition count change: an eager full rebalance, partitions dealt round robin
 *   over the members in slot order, pending hand-overs dropped.
 */
export class GroupMembership {
  private readonly members = new Slab<GroupMember>();
  /** Last offset returned to any member of the group, per partition (for hand-over completion). */
  private readonly lastPolled = new Map<number, bigint>();

  constructor(private partitions: number[]) {}

  get size(): number {
    return this.members.size;
  }

  /** Members in slot order. */
  list(): GroupMember[] {
    return [...this.members.values()];
  }

  has(clientId: number): boolean {
    return this.find(clientId) !== undefined;
  }

  /** Adds the client (no-op when already a member) and hands partitions over cooperatively. */
  join(clientId: number, committed: CommittedOffset, nowMs: number): void {
    if (this.find(clientId) === undefined) {
      const id = Math.max(-1, ...[...this.members.values()].map((m) => m.id)) + 1;
      this.members.insert({ id, clientId, partitions: [], cursor: 0, pending: [] });
      this.rebalanceCooperative(nowMs);
    }
    for (const [slot, member] of this.members.entries()) {
      for (const r of [...member.pending]) {
        if (this.canComplete(r.partitionId, committed)) this.completeRevocation(slot, r.partitionId);
      }
    }
  }

  /** Removes the client and re-deals every partition; false when it was not a member. */
  leave(clientId: number): boolean {
    const found = this.find(clientId);
    if (found === undefined) return false;
    const [slot, member] = found;
    this.members.remove(slot);
    for (const partitionId of member.partitions) this.lastPolled.delete(partitionId);
    this.rebalanceAll();
    return true;
  }

  /** The topic's partition count changed: every member's assignment is re-dealt. */
  setPartitionsCount(count: number): void {
    this.partitions = Array.from({ length: count }, (_, i) => i);
    this.lastPolled.clear();
    this.rebalanceAll();
  }

  /**
   * The partition a member polls or stores for: the explicit one when it owns it (or is handing it
   * over), else the next of its partitions in rotation (`advance` moves the rotation, as a poll does).
   * null when the member has nothing to read; undefined when the client is not a member.
   */
  resolve(clientId: number, explicit: number | null, advance: boolean): number | null | undefined {
    const found = this.find(clientId);
    if (found === undefined) return undefined;
    const member = found[1];
    if (explicit !== null) {
      const owned =
        member.partitions.includes(explicit) || member.pending.some((r) => r.partitionId === explicit);
      return owned ? explicit : null;
    }
    const usable = this.usable(member);
    if (usable.length === 0) return null;
    const index = member.cursor % usable.length;
    if (advance) member.cursor = (member.cursor + 1) % usable.length;
    return usable[index];
  }

  /**
   * The partitions a member's polls without a partition id rotate over: its own, less those it is
   * handing over. undefined when the client is not a member.
   */
  pollable(clientId: number): number[] | undefined {
    const found = this.find(clientId);
    return found && this.usable(found[1]);
  }

  private usable(member: GroupMember): number[] {
    if (member.pending.length === 0) return member.partitions;
    const revoking = new Set(member.pending.map((r) => r.partitionId));
    return member.partitions.filter((p) => !revoking.has(p));
  }

  /** A poll returned messages up to `offset` from `partitionId`. */
  recordPolled(partitionId: number, offset: bigint): void {
    this.lastPolled.set(partitionId, offset);
  }

  /** The group's offset of `partitionId` was stored by `clientId`: complete its hand-over if now due. */
  offsetStored(clientId: number, partitionId: number, committed: CommittedOffset): void {
    const found = this.find(clientId);
    if (found === undefined) return;
    const [slot, member] = found;
    if (
      member.pending.some((r) => r.partitionId === partitionId) &&
      this.canComplete(partitionId, committed)
    ) {
      this.completeRevocation(slot, partitionId);
    }
  }

  /** Forces every hand-over pending for `timeoutMs` or longer; returns how many. */
  forceTimedOut(nowMs: number, timeoutMs: number): number {
    let forced = 0;
    for (const [slot, member] of [...this.members.entries()]) {
      for (const r of [...member.pending]) {
        if (nowMs - r.createdAtMs >= timeoutMs && this.members.get(slot) === member) {
          this.completeRevocation(slot, r.partitionId);
          forced++;
        }
      }
    }
    return forced;
  }

  private find(clientId: number): [number, GroupMember] | undefined {
    for (const entry of this.members.entries()) if (entry[1].clientId === clientId) return entry;
    return undefined;
  }

  private canComplete(partitionId: number, committed: CommittedOffset): boolean {
    const polled = this.lastPolled.get(partitionId);
    if (polled === undefined) return true;
    const stored = committed(partitionId);
    return stored !== undefined && stored >= polled;
  }

  private rebalanceAll(): void {
    const members = [...this.members.values()];
    for (const m of members) {
      m.partitions = [];
      m.pending = [];
    }
    if (members.length === 0) return;
    this.partitions.forEach((partitionId, i) => members[i % members.length].partitions.push(partitionId));
  }

  private rebalanceCooperative(nowMs: number): void {
    const memberCount = this.members.size;
    if (memberCount === 0 || this.partitions.length === 0) return;
    const assigned = new Set([...this.members.values()].flatMap((m) => m.partitions));
    const unassigned = this.partitions.filter((p) => !assigned.has(p));
    const empty = [...this.members.values()].filter((m) => m.partitions.length === 0);
    if (unassigned.length > 0 && empty.length > 0) {
      unassigned.forEach((p, i) => empty[i % empty.length].partitions.push(p));
    }

    const fairShare = Math.floor(this.partitions.length / memberCount);
    let withRemainder = this.partitions.length % memberCount;
    const targets = new Set([...this.members.values()].flatMap((m) => m.pending.map((r) => r.targetSlot)));
    const idleSlots = [...this.members.entries()]
      .filter(([slot, m]) => m.partitions.length === 0 && !targets.has(slot))
      .map(([slot]) => slot);
    if (idleSlots.length === 0) return;

    // Pass 1: every over-assigned member's surplus, newest partitions first.
    const surplus: [number, GroupMember][] = [];
    for (const member of this.members.values()) {
      const revoking = new Set(member.pending.map((r) => r.partitionId));
      const effective = member.partitions.filter((p) => !revoking.has(p));
      const maxAllowed = withRemainder > 0 ? fairShare + 1 : fairShare;
      if (effective.length > fairShare && withRemainder > 0) withRemainder--;
      if (effective.length <= maxAllowed) continue;
      for (const p of effective.reverse().slice(0, effective.length - maxAllowed)) surplus.push([p, member]);
    }
    // Pass 2: dealt round robin over the idle members.
    surplus.forEach(([partitionId, source], i) => {
      const targetSlot = idleSlots[i % idleSlots.length];
      const targetMemberId = this.members.get(targetSlot)!.id;
      source.pending.push({ partitionId, targetSlot, targetMemberId, createdAtMs: nowMs });
    });
  }

  private completeRevocation(sourceSlot: number, partitionId: number): void {
    const source = this.members.get(sourceSlot);
    const index = source?.pending.findIndex((r) => r.partitionId === partitionId) ?? -1;
    if (!source || index < 0) return;
    const [revocation] = source.pending.splice(index, 1);
    source.partitions = source.partitions.filter((p) => p !== partitionId);
    const target = this.members.get(revocation.targetSlot);
    if (!target || target.id !== revocation.targetMemberId) {
      this.rebalanceAll();
      return;
    }
    target.partitions.push(partitionId);
  }
}
