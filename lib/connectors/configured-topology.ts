import type { ConnectorConfig } from './connector-config.js';
import type { IggyConnector } from './iggy-connector.js';

/** What `connect` found for the configured stream and topic (`ensureTopology`). */
export interface ConfiguredTopology {
  stream: string;
  topic: string;
  /** `created`: it was missing (made by us or by a peer starting at the same time). */
  outcome: 'created' | 'exists' | 'mismatch';
  /** The topic's partition count on the server (the one messages-key partitioning follows). */
  partitions: number;
}

/** Code of the process warning an existing topic unlike the config raises. */
export const TOPIC_MISMATCH_WARNING = 'NESTJS_IGGY_TOPIC_MISMATCH';

/**
 * Creates the configured stream and topic (`streamName`, `topicName`, `partitions`) when missing. An
 * existing topic is never changed: when its partition count differs from the config, a process warning
 * (`TOPIC_MISMATCH_WARNING`, printed to stderr unless the process listens for 'warning') says so, and the
 * topic is used as it is: messages-key partitioning then follows the server's count.
 */
export async function ensureConfiguredTopology(
  connector: IggyConnector,
  config: ConnectorConfig,
): Promise<ConfiguredTopology> {
  const stream = config.streamName;
  const topic = config.topicName;
  await connector.ensureStream(stream);
  const before = await connector.getTopic(stream, topic);
  if (!before) await connector.ensureTopic(stream, { name: topic, partitions: config.partitions });
  const actual = before ?? (await connector.getTopic(stream, topic));
  const partitions = actual?.partitionsCount ?? config.partitions;
  if (partitions === config.partitions) {
    return { stream, topic, outcome: before ? 'exists' : 'created', partitions };
  }
  process.emitWarning(
    `topic '${stream}/${topic}' has ${partitions} partitions, the config says ${config.partitions}; ` +
      'it is used as it is (change the topic on the server, or the config, to match)',
    { code: TOPIC_MISMATCH_WARNING },
  );
  return { stream, topic, outcome: 'mismatch', partitions };
}
