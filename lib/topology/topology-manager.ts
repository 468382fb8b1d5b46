import { ConnectorError } from '../connectors/connector-error.js';
import type { IggyConnector, TopicInfo } from '../connectors/iggy-connector.js';
import {
  TOPIC_ROLES,
  resolveTopologyConfig,
  topicSpecOf,
  type TopicPolicy,
  type TopicRole,
  type TopologyConfig,
  type TopologyConfigInput,
} from './topology-config.js';
import { withJsonView } from '../events/json-view.js';

/** Where warnings go (a Nest `Logger` fits). Default: `console`. */
export interface TopologyLogger {
  warn(message: string): void;
}

/** `created`: it was missing (we, or a peer starting at the same time, made it). `mismatch`: it exists unlike the config. */
export type TopicOutcome = 'created' | 'exists' | 'mismatch';

export interface TopicReport {
  role: TopicRole;
  name: string;
  outcome: TopicOutcome;
  wanted: TopicPolicy;
  actual: TopicInfo;
  /** What differs from the config, one sentence each (empty unless `mismatch`). */
  differences: string[];
}

export interface TopologyReport {
  stream: string;
  topics: TopicReport[];
}

/**
 * Makes sure the stream and its `domain`, `system` and `dlq` topics exist, with the configured
 * partitions, replication factor and retention. Idempotent, and safe when several processes start at
 * once (the connector takes "already exists" as success). An existing topic is never changed: if it
 * differs (e.g. another partition count) a warning is logged and it is kept as it is. Connect the
 * connector with `ensureTopology: false` (as the module does): otherwise `connect` makes the domain topic
 * first, without the retention configured here.
 */
export class TopologyManager {
  private readonly logger: TopologyLogger;
  private running: Promise<TopologyReport> | undefined;

  constructor(
    private readonly connector: IggyConnector,
    private readonly input: TopologyConfigInput = {},
    options: { logger?: TopologyLogger } = {},
  ) {
    this.logger = options.logger ?? console;
  }

  /** The resolved config (the connector's config supplies the defaults once it is connected). */
  get config(): TopologyConfig {
    return resolveTopologyConfig(this.input, this.connector.config);
  }

  /** Creates what is missing; concurrent calls share one run. Fails with `ConnectorError`. */
  ensure(): Promise<TopologyReport> {
    this.running ??= this.run().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async run(): Promise<TopologyReport> {
    const config = this.config;
    await this.connector.ensureStream(config.streamName);
    const topics = await Promise.all(
      TOPIC_ROLES.map((role) => this.ensureTopic(config.streamName, role, config.topics[role])),
    );
    return withJsonView({ stream: config.streamName, topics });
  }

  private async ensureTopic(stream: string, role: TopicRole, wanted: TopicPolicy): Promise<TopicReport> {
    let actual = await this.connector.getTopic(stream, wanted.name);
    const existed = actual !== null;
    if (!actual) {
      await this.connector.ensureTopic(stream, topicSpecOf(wanted));
      actual = await this.connector.getTopic(stream, wanted.name);
      if (!actual) {
        throw new ConnectorError(
          'Topology',
          `topic '${stream}/${wanted.name}' is still missing after creating it`,
        );
      }
    }
    const differences = differencesOf(wanted, actual);
    if (differences.length > 0) {
      this.logger.warn(
        `topic '${stream}/${wanted.name}' (${role}) exists unlike the config: ${differences.join('; ')}. ` +
          'Keeping it as it is; change it on the server (or the config) to match.',
      );
    }
    const outcome: TopicOutcome = differences.length > 0 ? 'mismatch' : existed ? 'exists' : 'created';
    return { role, name: wanted.name, outcome, wanted, actual, differences };
  }
}

/**
 * How an existing topic differs. Retention is compared only where the config sets it (non-zero):
 * a server stores its own value for "server default".
 */
export function differencesOf(wanted: TopicPolicy, actual: TopicInfo): string[] {
  const out: string[] = [];
  if (actual.partitionsCount !== wanted.partitions) {
    out.push(
      `${actual.partitionsCount} partitions, config wants ${wanted.partitions} (tenant → partition mapping follows the existing count)`,
    );
  }
  if (actual.replicationFactor !== wanted.replicationFactor) {
    out.push(`replication factor ${actual.replicationFactor}, config wants ${wanted.replicationFactor}`);
  }
  if (wanted.messageExpiryMicros !== 0n && actual.messageExpiryMicros !== wanted.messageExpiryMicros) {
    out.push(
      `message expiry ${actual.messageExpiryMicros} µs, config wants ${wanted.messageExpiryMicros} µs`,
    );
  }
  if (wanted.maxTopicSizeBytes !== 0n && actual.maxTopicSizeBytes !== wanted.maxTopicSizeBytes) {
    out.push(`max size ${actual.maxTopicSizeBytes} bytes, config wants ${wanted.maxTopicSizeBytes} bytes`);
  }
  return out;
}
