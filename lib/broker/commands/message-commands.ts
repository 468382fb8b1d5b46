import { BrokerError } from '../broker-error.js';
import { validateBatch } from '../partitions/batch-validation.js';
import type { StreamState, TopicState } from '../metadata/catalog.js';
import type { BrokerState } from '../broker-state.js';
import {
  authorizedTopic,
  caller,
  findAuthorizedTopic,
  generationOf,
  type TopicAccess,
} from './authorization.js';
import { storage } from '../partitions/messaging.js';
import { Rights } from './permissions.js';
import {
  U64_MAX,
  type Consumer,
  type ConsumerOffsetInfo,
  type Identifier,
  type Partitioning,
  type PollResult,
  type PollingStrategy,
  type SendResult,
} from '../types.js';

/** What the message and offset commands use: the caller, the topic, the data plane. */
type Messages = TopicAccess & Pick<BrokerState, 'messaging'>;

/** A poll (PollMessages). `partitionId` null: partition 0 for a consumer, the member's next one for a group. */
export interface PollRequest {
  streamId: Identifier;
  topicId: Identifier;
  consumer: Consumer;
  partitionId: number | null;
  strategy: PollingStrategy;
  count: number;
  autoCommit: boolean;
}

/** Which stored offset an offset command is about. */
export interface ConsumerOffsetRequest {
  streamId: Identifier;
  topicId: Identifier;
  consumer: Consumer;
  partitionId: number | null;
}

/**
 * Validates the batch (before anything else, as the real server does), resolves the topic, checks the
 * send right and appends. `messages` is stamped in place (offset, timestamp, id, checksum).
 */
export async function sendMessages(
  ctx: Messages,
  clientId: number,
  streamId: Identifier,
  topicId: Identifier,
  partitioning: Partitioning,
  messages: Buffer,
  count: number,
): Promise<SendResult> {
  caller(ctx, clientId); // an unauthenticated client is told so before a malformed batch
  const ends = validateBatch(messages, count);
  const [stream, topic] = authorizedTopic(ctx, clientId, streamId, topicId, Rights.send, 'send to topic');
  return ctx.messaging.send(stream, topic, partitioning, messages, ends);
}

export async function pollMessages(
  ctx: Messages,
  clientId: number,
  request: PollRequest,
): Promise<PollResult> {
  const [stream, topic] = pollable(ctx, clientId, request.streamId, request.topicId);
  if (!Number.isInteger(request.count) || request.count < 0 || request.count > 0xffffffff) {
    throw BrokerError.of('InvalidMessagesCount', `poll count must be a u32, got ${request.count}`);
  }
  return ctx.messaging.poll(
    clientId,
    stream,
    topic,
    request.consumer,
    request.partitionId,
    request.strategy,
    request.count,
    request.autoCommit,
  );
}

/**
 * Stores the last consumed offset (inclusive). With 0.8 answers (see `generationOf`) an offset past the
 * partition's current one, or any offset on a partition that never held a message, is InvalidOffset
 * (4100); with 0.7 answers any u64 is accepted, as by the real server 0.7.0.
 */
export async function storeConsumerOffset(
  ctx: Messages & Pick<BrokerState, 'config'>,
  clientId: number,
  request: ConsumerOffsetRequest & { offset: bigint },
): Promise<void> {
  if (request.offset < 0n || request.offset > U64_MAX) {
    throw BrokerError.of('InvalidOffset', `offset must be a u64, got ${request.offset}`);
  }
  const [stream, topic] = pollable(ctx, clientId, request.streamId, request.topicId);
  await ctx.messaging.storeOffset(
    clientId,
    stream,
    topic,
    request.consumer,
    request.partitionId,
    request.offset,
    generationOf(ctx.config, caller(ctx, clientId).client) === '0.8',
  );
}

/** null when nothing is stored, or the stream, topic, group or partition does not exist (the server's empty reply). */
export function getConsumerOffset(
  ctx: Messages,
  clientId: number,
  request: ConsumerOffsetRequest,
): ConsumerOffsetInfo | null {
  const { streamId, topicId } = request;
  const found = findAuthorizedTopic(ctx, clientId, streamId, topicId, Rights.poll, 'read offsets of topic');
  return found && ctx.messaging.getOffset(...found, request.consumer, request.partitionId);
}

export async function deleteConsumerOffset(
  ctx: Messages,
  clientId: number,
  request: ConsumerOffsetRequest,
): Promise<void> {
  const [stream, topic] = pollable(ctx, clientId, request.streamId, request.topicId);
  await ctx.messaging.deleteOffset(clientId, stream, topic, request.consumer, request.partitionId);
}

/** Forces the partition's buffered messages to disk (with fsync when asked). Needs the send right. */
export async function flushUnsavedBuffer(
  ctx: Messages,
  clientId: number,
  streamId: Identifier,
  topicId: Identifier,
  partitionId: number,
  fsync: boolean,
): Promise<void> {
  const [stream, topic] = authorizedTopic(ctx, clientId, streamId, topicId, Rights.send, 'flush topic');
  const runtime = ctx.messaging.runtime(stream, topic, partitionId);
  await storage(runtime.store.flush(fsync));
}

function pollable(
  ctx: TopicAccess,
  clientId: number,
  streamId: Identifier,
  topicId: Identifier,
): [StreamState, TopicState] {
  return authorizedTopic(ctx, clientId, streamId, topicId, Rights.poll, 'poll topic');
}
