import { describe, expect, it } from '@jest/globals';
import { GroupMembership } from '../../../../lib/broker/metadata/group-membership.js';

const none = (): bigint | undefined => undefined;
const assignment = (g: GroupMembership): Record<number, number[]> =>
  Object.fromEntries(g.list().map((m) => [m.clientId, [...m.partitions].sort((a, b) => a - b)]));

describe('GroupMembership (the real server cooperative join / eager leave)', () => {
  it('gives every partition to the first member', () => {
    const g = new GroupMembership([0, 1, 2, 3]);
    g.join(10, none, 0);
    expect(assignment(g)).toEqual({ 10: [0, 1, 2, 3] });
    expect(g.list()[0].id).toBe(0);
  });

  it('hands never-polled surplus partitions to a joining member at once, newest first, evenly', () => {
    const g = new GroupMembership([0, 1, 2, 3]);
    g.join(10, none, 0);
    g.join(11, none, 0);
    expect(assignment(g)).toEqual({ 10: [0, 1], 11: [2, 3] });
    g.join(12, none, 0);
    // fair share 1 (+1 for one member): 10 keeps 2, 11 keeps 1, 12 gets 1.
    expect(
      Object.values(assignment(g))
        .map((p) => p.length)
        .sort(),
    ).toEqual([1, 1, 2]);
    expect(new Set(Object.values(assignment(g)).flat())).toEqual(new Set([0, 1, 2, 3]));
  });

  it('spreads 16 partitions over 16 members one each (two-pass hand-over)', () => {
    const g = new GroupMembership(Array.from({ length: 16 }, (_, i) => i));
    g.join(1, none, 0);
    for (let c = 2; c <= 16; c++) g.join(c, none, 0);
    expect(g.list().every((m) => m.partitions.length === 1)).toBe(true);
  });

  it('member ids are one more than the highest current id', () => {
    const g = new GroupMembership([0, 1]);
    g.join(10, none, 0);
    g.join(11, none, 0);
    g.leave(10);
    g.join(12, none, 0);
    expect(g.list().map((m) => [m.clientId, m.id])).toEqual([
      [12, 2],
      [11, 1],
    ]);
  });

  it('keeps a polled partition until the group commits past the last polled offset', () => {
    const committed = new Map<number, bigint>();
    const g = new GroupMembership([0, 1]);
    g.join(10, (p) => committed.get(p), 0);
    expect(g.resolve(10, null, true)).toBe(0);
    g.recordPolled(0, 5n);
    expect(g.resolve(10, null, true)).toBe(1);
    g.recordPolled(1, 7n);
    g.join(11, (p) => committed.get(p), 0);
    // partition 1 (newest) is pending hand-over to 11: still 10's, not 11's yet.
    expect(assignment(g)).toEqual({ 10: [0, 1], 11: [] });
    expect(g.resolve(11, null, true)).toBeNull();
    expect(g.resolve(10, 1, false)).toBe(1); // explicit access to a revoking partition is allowed
    expect(g.resolve(10, null, true)).toBe(0); // rotation skips it
    expect([g.pollable(10), g.pollable(11), g.pollable(12)]).toEqual([[0], [], undefined]);
    committed.set(1, 6n);
    g.offsetStored(10, 1, (p) => committed.get(p));
    expect(assignment(g)).toEqual({ 10: [0, 1], 11: [] });
    committed.set(1, 7n);
    g.offsetStored(10, 1, (p) => committed.get(p));
    expect(assignment(g)).toEqual({ 10: [0], 11: [1] });
    expect([g.pollable(10), g.pollable(11)]).toEqual([[0], [1]]);
  });

  it('forces a hand-over after the timeout', () => {
    const g = new GroupMembership([0, 1]);
    g.join(10, none, 0);
    g.recordPolled(1, 3n);
    g.join(11, none, 1000);
    expect(g.forceTimedOut(1000 + 29_999, 30_000)).toBe(0);
    expect(g.forceTimedOut(1000 + 30_000, 30_000)).toBe(1);
    expect(assignment(g)).toEqual({ 10: [0], 11: [1] });
  });

  it('re-deals everything round robin when a member leaves', () => {
    const g = new GroupMembership([0, 1, 2, 3, 4]);
    for (const c of [1, 2, 3]) g.join(c, none, 0);
    expect(g.leave(2)).toBe(true);
    expect(assignment(g)).toEqual({ 1: [0, 2, 4], 3: [1, 3] });
    expect(g.leave(2)).toBe(false);
  });

  it('re-deals when the partition count changes', () => {
    const g = new GroupMembership([0, 1]);
    g.join(1, none, 0);
    g.join(2, none, 0);
    g.setPartitionsCount(3);
    expect(assignment(g)).toEqual({ 1: [0, 2], 2: [1] });
    g.setPartitionsCount(0);
    expect(assignment(g)).toEqual({ 1: [], 2: [] });
  });

  it('rotates a member through its partitions one per poll; explicit ids only when owned', () => {
    const g = new GroupMembership([0, 1, 2]);
    g.join(1, none, 0);
    expect([0, 1, 2, 3].map(() => g.resolve(1, null, true))).toEqual([0, 1, 2, 0]);
    expect(g.resolve(1, null, false)).toBe(1);
    expect(g.resolve(1, null, false)).toBe(1);
    expect(g.resolve(1, 2, true)).toBe(2);
    expect(g.resolve(1, 7, true)).toBeNull();
    expect(g.resolve(99, null, true)).toBeUndefined();
  });

  it('a member without partitions resolves to null', () => {
    const g = new GroupMembership([0]);
    g.join(1, none, 0);
    g.join(2, none, 0);
    expect(g.resolve(2, null, true)).toBeNull();
  });
});
