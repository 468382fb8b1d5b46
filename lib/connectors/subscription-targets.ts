import { IggyErrorCode } from '../protocol/codes/error-codes.js';
import { ConsumerKind, type Consumer } from '../protocol/primitives/consumer.js';
import { PollingStrategy } from '../protocol/primitives/polling-strategy.js';
import { ConnectorError } from './connector-error.js';
import type { ConnectorSession, JoinedGroup, NamedGroup } from './connector-session.js';
import type { GroupJoins } from './group-joins.js';
import type { TopicInfo } from './iggy-connector.js';
import type { StartFrom } from './message-subscriber.js';
import type { SubscriptionTarget } from './partition-reads.js';
import { groupFloors, singleStart } from './start-position.js';

/** The consumer a timestamp probe polls as (it never stores an offset). */
const PROBE: Consumer = { kind: ConsumerKind.Consumer, id: 'nestjs-iggy-start-probe' };

/** A single consumer's read of one partition of `topic`; `Subscribe` (failing `what`) when there is none such. */
export function partitionTarget(
  topic: TopicInfo,
  partition: number,
  consumerName: string,
  startFrom: StartFrom,
  what: string,
): SubscriptionTarget {
  const p = topic.partitions.find((x) => x.id === partition);
  if (!Number.isInteger(partition) || !p) {
    throw new ConnectorError(
      'Subscribe',
      `${what}: the topic has partitions 0..${topic.partitionsCount - 1}`,
      {
        code: IggyErrorCode.PartitionNotFound,
      },
    );
  }
  return { kind: 'partition', partition, consumerName, initial: singleStart(startFrom, p) };
}

/**
 * A group member's read of `topic`: its floors for `startFrom` (timestamps probed over `session`), then
 * `session` joins the group (created when missing) through `joins`.
 */
export async function joinGroupTarget(
  session: ConnectorSession,
  group: NamedGroup,
  topic: TopicInfo,
  startFrom: StartFrom,
  joins: GroupJoins,
): Promise<{ target: SubscriptionTarget; joined: JoinedGroup }> {
  const { streamId, topicId, groupId } = group;
  const floors = await groupFloors(startFrom, topic, async (partition, ts) => {
    const batch = await session.pollMessages({
      streamId,
      topicId,
      consumer: PROBE,
      partitionId: partition,
      strategy: PollingStrategy.timestamp(ts),
      count: 1,
    });
    return batch.messages[0]?.offset ?? null;
  });
  const joined = await joins.join(session, group);
  const target: SubscriptionTarget = {
    kind: 'group',
    group: groupId,
    partitionsCount: topic.partitionsCount,
    floors,
  };
  return { target, joined };
}
