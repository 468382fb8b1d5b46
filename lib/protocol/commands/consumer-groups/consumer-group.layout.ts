import type { BinaryReader } from '../../primitives/binary-reader.js';
import type { BinaryWriter } from '../../primitives/binary-writer.js';
import { readIdentifier, writeIdentifier, type Identifier } from '../../primitives/identifier.js';
import { readToEnd } from '../payload.js';
import { readTopicTarget, writeTopicTarget, type TopicTarget } from '../topics/topic.layout.js';

/** Which group a request is about: stream identifier · topic identifier · group identifier. */
export interface GroupTarget extends TopicTarget {
  groupId: Identifier;
}

/** A consumer group as the server lists it (GetConsumerGroups). */
export interface ConsumerGroup {
  id: number;
  partitionsCount: number;
  membersCount: number;
  name: string;
}

/** A member of a group (a joined connection) and the 0-based partitions it owns. */
export interface ConsumerGroupMember {
  /** The member's id within the group (not the client id). */
  id: number;
  partitions: number[];
}

/** A group with its members (GetConsumerGroup; CreateConsumerGroup answers it with no members). */
export interface ConsumerGroupDetails extends ConsumerGroup {
  members: ConsumerGroupMember[];
}

export function writeGroupTarget(w: BinaryWriter, target: GroupTarget): void {
  writeTopicTarget(w, target);
  writeIdentifier(w, target.groupId);
}

export function readGroupTarget(r: BinaryReader): GroupTarget {
  const { streamId, topicId } = readTopicTarget(r);
  return { streamId, topicId, groupId: readIdentifier(r, 'group id') };
}

/** Group record: u32 id · u32 partitions_count · u32 members_count · u8 name length · name. */
export function writeConsumerGroup(w: BinaryWriter, group: ConsumerGroup): void {
  w.u32(group.id).u32(group.partitionsCount).u32(group.membersCount).str8(group.name, 'group name');
}

export function readConsumerGroup(r: BinaryReader): ConsumerGroup {
  return {
    id: r.u32('group id'),
    partitionsCount: r.u32('group partitions_count'),
    membersCount: r.u32('group members_count'),
    name: r.str8('group name'),
  };
}

/** Member record: u32 id · u32 partitions count · that many u32 partition ids. */
export function writeConsumerGroupMember(w: BinaryWriter, member: ConsumerGroupMember): void {
  w.u32(member.id).u32(member.partitions.length);
  for (const partition of member.partitions) w.u32(partition);
}

export function readConsumerGroupMember(r: BinaryReader): ConsumerGroupMember {
  const id = r.u32('member id');
  const count = r.u32('member partitions count');
  r.need(count * 4, 'member partition ids');
  const partitions: number[] = [];
  for (let i = 0; i < count; i++) partitions.push(r.u32('member partition id'));
  return { id, partitions };
}

/** Group record followed by its member records. */
export function writeConsumerGroupDetails(w: BinaryWriter, group: ConsumerGroupDetails): void {
  writeConsumerGroup(w, group);
  for (const member of group.members) writeConsumerGroupMember(w, member);
}

/** A group record, then member records up to the end of the payload. */
export function readConsumerGroupDetailsToEnd(r: BinaryReader): ConsumerGroupDetails {
  const group = readConsumerGroup(r);
  return { ...group, members: readToEnd(r, readConsumerGroupMember) };
}
