import { BrokerError } from '../broker-error.js';
import type { StreamState, TopicState } from '../metadata/catalog.js';
import type { BrokerState } from '../broker-state.js';
import { authorizedTopic, caller, findAuthorizedTopic, type TopicAccess } from './authorization.js';
import { authorize, Rights } from './permissions.js';
import type { ConsumerGroupView } from './views.js';
import type { CreateConsumerGroupRequest } from '../../protocol/commands/consumer-groups/create-consumer-group.js';
import type { GroupTarget } from '../../protocol/commands/consumer-groups/consumer-group.layout.js';
import type { TopicTarget } from '../../protocol/commands/topics/topic.layout.js';
import type { ConsumerGroup, Identifier } from '../types.js';

/*
 * Consumer groups, as the real server's 0.7.0 handlers do them: every group command needs the right to
 * read the topic; a missing group is ConsumerGroupIdNotFound (null for the get-one query). Definitions
 * are persisted; membership lives with the client connection.
 */

export async function createConsumerGroup(
  ctx: TopicAccess & Pick<BrokerState, 'exclusive' | 'persist' | 'views'>,
  clientId: number,
  { streamId, topicId, name }: CreateConsumerGroupRequest,
): Promise<ConsumerGroupView> {
  return ctx.exclusive(async () => {
    const [, topic] = readTopic(ctx, clientId, streamId, topicId);
    const group = ctx.catalog.createGroup(topic, name);
    await ctx.persist();
    return ctx.views.groupDetails(topic, group);
  });
}

export function getConsumerGroup(
  ctx: TopicAccess & Pick<BrokerState, 'views'>,
  clientId: number,
  { streamId, topicId, groupId }: GroupTarget,
): ConsumerGroupView | null {
  const { user, permissions } = caller(ctx, clientId);
  const stream = ctx.catalog.findStream(streamId);
  const topic = stream && ctx.catalog.findTopic(stream, topicId);
  const group = topic && ctx.catalog.findGroup(topic, groupId);
  if (!stream || !topic || !group) return null;
  authorize(Rights.readTopic(permissions, stream.id, topic.id), user.id, `read groups of topic ${topic.id}`);
  return ctx.views.groupDetails(topic, group);
}

export function getConsumerGroups(
  ctx: TopicAccess & Pick<BrokerState, 'views'>,
  clientId: number,
  { streamId, topicId }: TopicTarget,
): ConsumerGroup[] {
  const found = findAuthorizedTopic(
    ctx,
    clientId,
    streamId,
    topicId,
    Rights.readTopic,
    'list groups of topic',
  );
  if (!found) return [];
  const [, topic] = found;
  return [...topic.groups.values()].map((g) => ctx.views.group(topic, g));
}

/** Deletes the group and its stored offsets; its members simply stop being members. */
export async function deleteConsumerGroup(
  ctx: TopicAccess & Pick<BrokerState, 'exclusive' | 'persist' | 'partitions'>,
  clientId: number,
  { streamId, topicId, groupId }: GroupTarget,
): Promise<void> {
  await ctx.exclusive(async () => {
    const [stream, topic] = readTopic(ctx, clientId, streamId, topicId);
    const group = ctx.catalog.group(topic, groupId);
    ctx.catalog.deleteGroup(topic, group);
    ctx.clients.forgetGroups(stream.id, topic.id, group.id);
    await ctx.persist();
    for (let partitionId = 0; partitionId < topic.partitions.length; partitionId++) {
      const runtime = ctx.partitions.find({ streamId: stream.id, topicId: topic.id, partitionId });
      await runtime?.offsets.delete('group', group.id);
    }
  });
}

/** Joins the calling client to the group (no-op when already a member): a cooperative rebalance. */
export function joinConsumerGroup(
  ctx: TopicAccess & Pick<BrokerState, 'messaging'>,
  clientId: number,
  { streamId, topicId, groupId }: GroupTarget,
): void {
  const [stream, topic] = readTopic(ctx, clientId, streamId, topicId);
  const group = ctx.catalog.group(topic, groupId);
  group.membership.join(clientId, ctx.messaging.committed(stream, topic, group), Date.now());
  ctx.clients.joined(clientId, { streamId: stream.id, topicId: topic.id, groupId: group.id });
}

/**
 * The partitions the client, as a member of the group, polls without a partition id (its own, less
 * those it is handing over); undefined when it is not a member. Not a protocol command: what an
 * in-process reader asks instead of polling each partition in turn to find the one with news.
 */
export function pollablePartitions(
  ctx: TopicAccess,
  clientId: number,
  { streamId, topicId, groupId }: GroupTarget,
): readonly number[] | undefined {
  const [, topic] = readTopic(ctx, clientId, streamId, topicId);
  return ctx.catalog.group(topic, groupId).membership.pollable(clientId);
}

/** ConsumerGroupMemberNotFound (5006) when the client is not a member; otherwise a full rebalance. */
export function leaveConsumerGroup(
  ctx: TopicAccess,
  clientId: number,
  { streamId, topicId, groupId }: GroupTarget,
): void {
  const [stream, topic] = readTopic(ctx, clientId, streamId, topicId);
  const group = ctx.catalog.group(topic, groupId);
  if (!group.membership.leave(clientId)) {
    throw BrokerError.of(
      'ConsumerGroupMemberNotFound',
      `client ${clientId} is not a member of consumer group ${group.id} (topic ${topic.id}, stream ${stream.id})`,
    );
  }
  ctx.clients.left(clientId, { streamId: stream.id, topicId: topic.id, groupId: group.id });
}

/** Group commands need the right to read the topic. */
function readTopic(
  ctx: TopicAccess,
  clientId: number,
  streamId: Identifier,
  topicId: Identifier,
): [StreamState, TopicState] {
  return authorizedTopic(ctx, clientId, streamId, topicId, Rights.readTopic, 'use consumer groups of topic');
}
