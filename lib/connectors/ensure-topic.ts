import { ConnectorError } from './connector-error.js';
import type { IggyConnector, TopicInfo, TopicSpec } from './iggy-connector.js';

/** `created`: it was missing (we, or a peer starting at the same time, made it). `mismatch`: it exists unlike the spec. */
export type TopicOutcome = 'created' | 'exists' | 'mismatch';

export interface EnsuredTopic {
  outcome: TopicOutcome;
  /** The topic as the server has it. */
  actual: TopicInfo;
  /** How it differs from the spec, one sentence each (empty unless `mismatch`). */
  differences: string[];
}

/**
 * Creates the topic of `spec` in `stream` when it is missing, and says how the topic on the server
 * differs from `spec`. An existing topic is never changed. The one way topics are made: `connect` (the
 * configured topic) and `TopologyManager` (the domain, system and dlq topics) both come here.
 */
export async function ensureTopicAs(
  connector: IggyConnector,
  stream: string,
  spec: TopicSpec,
): Promise<EnsuredTopic> {
  const before = await connector.getTopic(stream, spec.name);
  let actual = before;
  if (!actual) {
    await connector.ensureTopic(stream, spec);
    actual = await connector.getTopic(stream, spec.name);
    if (!actual) {
      throw new ConnectorError(
        'Topology',
        `topic '${stream}/${spec.name}' is still missing after creating it`,
      );
    }
  }
  const differences = topicDifferences(spec, actual);
  const outcome: TopicOutcome = differences.length > 0 ? 'mismatch' : before ? 'exists' : 'created';
  return { outcome, actual, differences };
}

/**
 * How an existing topic differs from `wanted`: partitions always; replication factor and retention
 * only where `wanted` sets them (retention non-zero: a server stores its own value for "server default").
 */
export function topicDifferences(wanted: TopicSpec, actual: TopicInfo): string[] {
  const out: string[] = [];
  if (actual.partitionsCount !== wanted.partitions) {
    out.push(
      `${actual.partitionsCount} partitions, config wants ${wanted.partitions} (tenant → partition mapping follows the existing count)`,
    );
  }
  const { replicationFactor, messageExpiryMicros, maxTopicSizeBytes } = wanted;
  if (replicationFactor !== undefined && actual.replicationFactor !== replicationFactor) {
    out.push(`replication factor ${actual.replicationFactor}, config wants ${replicationFactor}`);
  }
  if (messageExpiryMicros && actual.messageExpiryMicros !== messageExpiryMicros) {
    out.push(`message expiry ${actual.messageExpiryMicros} µs, config wants ${messageExpiryMicros} µs`);
  }
  if (maxTopicSizeBytes && actual.maxTopicSizeBytes !== maxTopicSizeBytes) {
    out.push(`max size ${actual.maxTopicSizeBytes} bytes, config wants ${maxTopicSizeBytes} bytes`);
  }
  return out;
}
