import { describe, expect, it } from '@jest/globals';
import { GroupJoins } from '../../../lib/connectors/group-joins.js';
import { FakeSession } from './fake-session.js';

const group = (groupId: string) => ({ streamId: 's', topicId: 't', groupId });

describe('GroupJoins', () => {
  it('runs the joins of one group one after another: each sees the members the one before it added', async () => {
    const source = new FakeSession([]);
    let nextId = 0;
    source.joinConsumerGroup = async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      source.members = [...source.members, { id: nextId++, partitions: [] }];
    };
    const joins = new GroupJoins();
    const joined = await Promise.all([1, 2, 3].map(() => joins.join(source, group('g'))));
    expect(joined.map((j) => j.membersBefore)).toEqual([[], [0], [0, 1]]);
    expect(joined.map((j) => j.membersAfter)).toEqual([[0], [0, 1], [0, 1, 2]]);
  });

  it('lets joins of different groups overlap, and a failed join does not hold up the next', async () => {
    const source = new FakeSession([]);
    const started: string[] = [];
    let fail = true;
    source.joinConsumerGroup = async (target) => {
      started.push(String(target.groupId));
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (fail && target.groupId === 'a') {
        fail = false;
        throw new Error('refused');
      }
    };
    const joins = new GroupJoins();
    const first = joins.join(source, group('a'));
    const other = joins.join(source, group('b'));
    const second = joins.join(source, group('a'));
    await new Promise((resolve) => setTimeout(resolve, 1));
    expect(started).toEqual(['a', 'b']); // b did not wait for a; the second join of a did
    await expect(first).rejects.toThrow('refused');
    await expect(other).resolves.toBeDefined();
    await expect(second).resolves.toBeDefined();
    expect(started).toEqual(['a', 'b', 'a']);
  });

  it('reads the members after the join only when asked to (a short-lived member that stores an offset is not)', async () => {
    const source = new FakeSession([]);
    const joins = new GroupJoins();
    expect((await joins.join(source, group('g'), false)).membersAfter).toBeUndefined();
    expect(source.groupReads).toBe(1);
    expect((await joins.join(source, group('g'))).membersAfter).toEqual([]);
    expect(source.groupReads).toBe(3);
  });
});
