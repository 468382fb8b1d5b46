import { checkPartitionsCount, type StreamState, type TopicState } from '../metadata/catalog.js';
import { nowMicros } from '../../protocol/messages/clock.js';
import type { BrokerState } from '../broker-state.js';
import { authorizedTopic, caller, findAuthorizedTopic, type TopicAccess } from './authorization.js';
import { storage } from '../partitions/messaging.js';
import { authorize, Rights } from './permissions.js';
import type {
  CreatePartitionsRequest,
  DeletePartitionsRequest,
} from '../../protocol/commands/partitions/index.js';
import type { DeleteSegmentsRequest } from '../../protocol/commands/segments/index.js';
import type {
  CreateStreamRequest,
  StreamTarget,
  UpdateStreamRequest,
} from '../../protocol/commands/streams/index.js';
import type { TopicTarget } from '../../protocol/commands/topics/index.js';
import type {
  CreateTopicOptions,
  Identifier,
  Stream,
  StreamDetails,
  Topic,
  TopicDetails,
  UpdateTopicOptions,
} from '../types.js';

/*
 * Streams, topics, partitions and segments, as the real server's 0.7.0 handlers do
 * them: resolve (StreamIdNotFound / TopicIdNotFound / PartitionNotFound), check permissions
 * (Unauthorized), change, persist. "Get one" answers null when the thing is missing (the server's
 * empty reply); "get many" under a missing parent answers an empty list.
 */

/** What the queries use: the caller, the catalog and the views of it. */
type Reading = TopicAccess & Pick<BrokerState, 'views'>;

/** What a change uses: the caller and the catalog, changed one at a time and persisted. */
type Changing = TopicAccess & Pick<BrokerState, 'exclusive' | 'persist'>;

/** What a purge uses: the caller, the catalog, the partitions, one at a time (nothing to persist). */
type Purging = TopicAccess & Pick<BrokerState, 'exclusive' | 'partitions'>;

export async function createStream(
  ctx: Changing & Pick<BrokerState, 'views'>,
  clientId: number,
  { name }: CreateStreamRequest,
): Promise<StreamDetails> {
  const { user, permissions } = caller(ctx, clientId);
  authorize(Rights.createStream(permissions), user.id, 'create streams');
  return ctx.exclusive(async () => {
    const stream = ctx.catalog.createStream(name, nowMicros());
    await ctx.persist();
    return ctx.views.streamDetails(stream);
  });
}

export function getStream(ctx: Reading, clientId: number, { streamId }: StreamTarget): StreamDetails | null {
  const { user, permissions } = caller(ctx, clientId);
  const stream = ctx.catalog.findStream(streamId);
  if (!stream) return null;
  authorize(Rights.readStream(permissions, stream.id), user.id, `read stream ${stream.id}`);
  return ctx.views.streamDetails(stream);
}

export function getStreams(ctx: Reading, clientId: number): Stream[] {
  const { user, permissions } = caller(ctx, clientId);
  authorize(Rights.readStreams(permissions), user.id, 'list streams');
  return [...ctx.catalog.streams.values()].map((s) => ctx.views.stream(s));
}

export async function updateStream(
  ctx: Changing,
  clientId: number,
  { streamId, name }: UpdateStreamRequest,
): Promise<void> {
  await ctx.exclusive(async () => {
    const stream = manageStream(ctx, clientId, streamId);
    if (stream.name === name) return;
    ctx.catalog.renameStream(stream, name);
    await ctx.persist();
  });
}

export async function deleteStream(
  ctx: Changing & Pick<BrokerState, 'partitions' | 'backend'>,
  clientId: number,
  { streamId }: StreamTarget,
): Promise<void> {
  await ctx.exclusive(async () => {
    const stream = manageStream(ctx, clientId, streamId);
    ctx.catalog.deleteStream(stream);
    ctx.users.forgetStream(stream.id);
    ctx.clients.forgetGroups(stream.id);
    await ctx.persist();
    for (const topic of stream.topics.values()) await destroyPartitions(ctx, stream, topic, 0);
    await ctx.backend.removeStream(stream.id);
  });
}

export async function purgeStream(ctx: Purging, clientId: number, { streamId }: StreamTarget): Promise<void> {
  await ctx.exclusive(async () => {
    const stream = manageStream(ctx, clientId, streamId);
    for (const topic of stream.topics.values()) await purgePartitions(ctx, stream, topic);
  });
}

export async function createTopic(
  ctx: Changing & Pick<BrokerState, 'partitions' | 'views'>,
  clientId: number,
  streamId: Identifier,
  options: CreateTopicOptions,
): Promise<TopicDetails> {
  return ctx.exclusive(async () => {
    const { user, permissions } = caller(ctx, clientId);
    const stream = ctx.catalog.stream(streamId);
    authorize(Rights.createTopic(permissions, stream.id), user.id, `create topics in stream ${stream.id}`);
    const topicId = ctx.catalog.checkNewTopic(stream, options);
    await openPartitions(ctx, stream.id, topicId, 0, options.partitionsCount);
    const topic = ctx.catalog.createTopic(stream, options, nowMicros());
    await ctx.persist();
    return ctx.views.topicDetails(stream, topic);
  });
}

export function getTopic(
  ctx: Reading,
  clientId: number,
  { streamId, topicId }: TopicTarget,
): TopicDetails | null {
  const found = findAuthorizedTopic(ctx, clientId, streamId, topicId, Rights.readTopic, 'read topic');
  return found && ctx.views.topicDetails(...found);
}

export function getTopics(ctx: Reading, clientId: number, { streamId }: StreamTarget): Topic[] {
  const { user, permissions } = caller(ctx, clientId);
  const stream = ctx.catalog.findStream(streamId);
  if (!stream) return [];
  authorize(Rights.readTopics(permissions, stream.id), user.id, `list topics of stream ${stream.id}`);
  return [...stream.topics.values()].map((t) => ctx.views.topic(stream, t));
}

export async function updateTopic(
  ctx: Changing,
  clientId: number,
  streamId: Identifier,
  topicId: Identifier,
  options: UpdateTopicOptions,
): Promise<void> {
  await ctx.exclusive(async () => {
    const [stream, topic] = manageTopic(ctx, clientId, streamId, topicId);
    ctx.catalog.updateTopic(stream, topic, options);
    await ctx.persist();
  });
}

export async function deleteTopic(
  ctx: Changing & Pick<BrokerState, 'partitions' | 'backend'>,
  clientId: number,
  { streamId, topicId }: TopicTarget,
): Promise<void> {
  await ctx.exclusive(async () => {
    const [stream, topic] = manageTopic(ctx, clientId, streamId, topicId);
    ctx.catalog.deleteTopic(stream, topic);
    ctx.users.forgetTopic(stream.id, topic.id);
    ctx.clients.forgetGroups(stream.id, topic.id);
    await ctx.persist();
    await destroyPartitions(ctx, stream, topic, 0);
    await ctx.backend.removeTopic(stream.id, topic.id);
  });
}

export async function purgeTopic(
  ctx: Purging,
  clientId: number,
  { streamId, topicId }: TopicTarget,
): Promise<void> {
  await ctx.exclusive(async () => {
    const [stream, topic] = manageTopic(ctx, clientId, streamId, topicId);
    await purgePartitions(ctx, stream, topic);
  });
}

/** Adds partitions at the end (ids continue); every group of the topic is re-dealt. */
export async function createPartitions(
  ctx: Changing & Pick<BrokerState, 'partitions'>,
  clientId: number,
  { streamId, topicId, partitionsCount: count }: CreatePartitionsRequest,
): Promise<number[]> {
  checkPartitionsCount(count, 1);
  return ctx.exclusive(async () => {
    const [stream, topic] = manageTopic(ctx, clientId, streamId, topicId);
    await openPartitions(ctx, stream.id, topic.id, topic.partitions.length, count);
    const ids = ctx.catalog.addPartitions(topic, count, nowMicros());
    await ctx.persist();
    return ids;
  });
}

/** Removes the last `count` partitions (InvalidPartitionsCount when there are fewer); groups are re-dealt. */
export async function deletePartitions(
  ctx: Changing & Pick<BrokerState, 'partitions'>,
  clientId: number,
  { streamId, topicId, partitionsCount: count }: DeletePartitionsRequest,
): Promise<number[]> {
  checkPartitionsCount(count, 1);
  return ctx.exclusive(async () => {
    const [stream, topic] = manageTopic(ctx, clientId, streamId, topicId);
    const keep = topic.partitions.length - count;
    const removed = ctx.catalog.removePartitions(topic, count);
    await ctx.persist();
    await destroyPartitions(ctx, stream, topic, keep, keep + count);
    return removed;
  });
}

/**
 * Deletes up to `count` of the partition's oldest sealed segments, keeping any segment that holds an
 * offset above the lowest stored consumer or group offset (as the real server 0.7.0 does).
 */
export async function deleteSegments(
  ctx: TopicAccess & Pick<BrokerState, 'messaging'>,
  clientId: number,
  { streamId, topicId, partitionId, segmentsCount: count }: DeleteSegmentsRequest,
): Promise<void> {
  const [stream, topic] = manageTopic(ctx, clientId, streamId, topicId);
  const runtime = ctx.messaging.runtime(stream, topic, partitionId);
  const stored = runtime.offsets.list().map((o) => o.offset);
  const barrier = stored.length > 0 ? stored.reduce((a, b) => (a < b ? a : b)) : undefined;
  await storage(runtime.store.removeSegments(count, barrier));
}

function manageStream(ctx: TopicAccess, clientId: number, streamId: Identifier): StreamState {
  const { user, permissions } = caller(ctx, clientId);
  const stream = ctx.catalog.stream(streamId);
  authorize(Rights.manageStream(permissions, stream.id), user.id, `manage stream ${stream.id}`);
  return stream;
}

function manageTopic(
  ctx: TopicAccess,
  clientId: number,
  streamId: Identifier,
  topicId: Identifier,
): [StreamState, TopicState] {
  return authorizedTopic(ctx, clientId, streamId, topicId, Rights.manageTopic, 'manage topic');
}

async function openPartitions(
  ctx: Pick<BrokerState, 'partitions'>,
  streamId: number,
  topicId: number,
  first: number,
  count: number,
): Promise<void> {
  const opened: number[] = [];
  try {
    for (let partitionId = first; partitionId < first + count; partitionId++) {
      await ctx.partitions.open({ streamId, topicId, partitionId });
      opened.push(partitionId);
    }
  } catch (error) {
    for (const partitionId of opened) await ctx.partitions.destroy({ streamId, topicId, partitionId });
    throw error;
  }
}

async function destroyPartitions(
  ctx: Pick<BrokerState, 'partitions'>,
  stream: StreamState,
  topic: TopicState,
  from: number,
  to = topic.partitions.length,
): Promise<void> {
  for (let partitionId = from; partitionId < to; partitionId++) {
    await ctx.partitions.destroy({ streamId: stream.id, topicId: topic.id, partitionId });
  }
}

/** Every message and every stored offset of the topic's partitions go; offsets restart at 0. */
async function purgePartitions(
  ctx: Pick<BrokerState, 'partitions'>,
  stream: StreamState,
  topic: TopicState,
): Promise<void> {
  for (let partitionId = 0; partitionId < topic.partitions.length; partitionId++) {
    const runtime = ctx.partitions.find({ streamId: stream.id, topicId: topic.id, partitionId });
    if (!runtime) continue;
    await runtime.offsets.clear();
    await storage(runtime.store.purge());
  }
}
