import { resolveConnectorConfig, type ConnectorConfig } from '../connectors/connector-config.js';
import { ConnectorError } from '../connectors/connector-error.js';
import type { TopicSpec } from '../connectors/iggy-connector.js';
import { Limits } from '../protocol/limits.js';

/** The three topics every service stream has. */
export type TopicRole = 'domain' | 'system' | 'dlq';
export const TOPIC_ROLES: readonly TopicRole[] = ['domain', 'system', 'dlq'];
/** The names of the system and dead-letter topics unless the config names them (the domain topic's is `topicName`). */
export const SYSTEM_TOPIC_NAME = 'system';
export const DLQ_TOPIC_NAME = 'dlq';

/** One topic as the topology wants it. */
export interface TopicPolicy {
  name: string;
  partitions: number;
  replicationFactor: number;
  /** Message expiry in µs; `0n` = never. */
  messageExpiryMicros: bigint;
  /** Max topic size in bytes; `0n` = the server's default (unlimited). */
  maxTopicSizeBytes: bigint;
}

export interface TopologyConfig {
  streamName: string;
  topics: Record<TopicRole, TopicPolicy>;
}

/** Any part of a `TopologyConfig`; `topics.<role>` overrides one topic. */
export interface TopologyConfigInput {
  /** Default: the connector's `streamName`. */
  streamName?: string;
  /** Partitions of the domain and system topics (default: the connector's `partitions`; the DLQ has 1). */
  partitions?: number;
  /** Every topic's replication factor (default 1). */
  replicationFactor?: number;
  topics?: Partial<Record<TopicRole, Partial<TopicPolicy>>>;
}

const MICROS_PER_DAY = 86_400_000_000n;
/** µs in `n` days. */
export const days = (n: number): bigint => BigInt(n) * MICROS_PER_DAY;
/** Bytes in `n` GB (decimal, as Iggy's `10 GB`). */
export const gigabytes = (n: number): bigint => BigInt(n) * 1_000_000_000n;

/**
 * The seeds' retention: domain events 30 days / 10 GB, system events 7 days, dead letters 365 days.
 * The DLQ has one partition: it is low-volume and read whole (inspect, redrive), and order across
 * tenants there carries no meaning.
 */
export const defaultTopicRetention: Record<
  TopicRole,
  Pick<TopicPolicy, 'messageExpiryMicros' | 'maxTopicSizeBytes'>
> = {
  domain: { messageExpiryMicros: days(30), maxTopicSizeBytes: gigabytes(10) },
  system: { messageExpiryMicros: days(7), maxTopicSizeBytes: 0n },
  dlq: { messageExpiryMicros: days(365), maxTopicSizeBytes: 0n },
};
export const DEFAULT_DLQ_PARTITIONS = 1;

/**
 * Fills the defaults in from the connector's config: stream = `streamName`, domain topic = `topicName`,
 * domain and system topics get `partitions` partitions, the DLQ 1; replication factor 1;
 * system and dlq topics are named `system` and `dlq`.
 */
export function resolveTopologyConfig(
  input: TopologyConfigInput = {},
  connector: ConnectorConfig = resolveConnectorConfig(),
): TopologyConfig {
  const partitions = input.partitions ?? connector.partitions;
  const replicationFactor = input.replicationFactor ?? 1;
  const topic = (role: TopicRole, name: string, rolePartitions: number): TopicPolicy => ({
    name,
    partitions: rolePartitions,
    replicationFactor,
    ...defaultTopicRetention[role],
    ...stripUndefined(input.topics?.[role]),
  });
  const config: TopologyConfig = {
    streamName: input.streamName ?? connector.streamName,
    topics: {
      domain: topic('domain', connector.topicName, partitions),
      system: topic('system', SYSTEM_TOPIC_NAME, partitions),
      dlq: topic('dlq', DLQ_TOPIC_NAME, DEFAULT_DLQ_PARTITIONS),
    },
  };
  validateTopologyConfig(config);
  return config;
}

/** Throws `ConnectorError` (`Config`) naming the bad setting. */
export function validateTopologyConfig(config: TopologyConfig): void {
  checkName(config.streamName, 'streamName');
  const seen = new Map<string, TopicRole>();
  for (const role of TOPIC_ROLES) {
    const t = config.topics[role];
    const where = `topology topics.${role}`;
    checkName(t.name, `${where}.name`);
    const other = seen.get(t.name);
    if (other) throw configError(`${where}.name '${t.name}' is also the ${other} topic's name`);
    seen.set(t.name, role);
    if (!Number.isInteger(t.partitions) || t.partitions < 1 || t.partitions > Limits.maxPartitions) {
      throw configError(
        `${where}.partitions must be an integer in 1..${Limits.maxPartitions}, got ${t.partitions}`,
      );
    }
    if (!Number.isInteger(t.replicationFactor) || t.replicationFactor < 1 || t.replicationFactor > 255) {
      throw configError(
        `${where}.replicationFactor must be an integer in 1..255, got ${t.replicationFactor}`,
      );
    }
    for (const key of ['messageExpiryMicros', 'maxTopicSizeBytes'] as const) {
      const v = t[key];
      if (typeof v !== 'bigint' || v < 0n || v > U64_MAX) {
        throw configError(`${where}.${key} must be a bigint in 0..2^64-1, got ${String(v)}`);
      }
    }
  }
}

const U64_MAX = (1n << 64n) - 1n;

function checkName(name: unknown, field: string): void {
  const bytes = typeof name === 'string' ? Buffer.byteLength(name, 'utf8') : -1;
  if (bytes < 1 || bytes > Limits.maxNameBytes) {
    throw configError(
      `${field} must be a name of 1..${Limits.maxNameBytes} bytes, got ${JSON.stringify(name)}`,
    );
  }
}

function configError(message: string): ConnectorError {
  return new ConnectorError('Config', message);
}

/** The connector's view of a topic policy. */
export function topicSpecOf(policy: TopicPolicy): TopicSpec {
  return {
    name: policy.name,
    partitions: policy.partitions,
    replicationFactor: policy.replicationFactor,
    messageExpiryMicros: policy.messageExpiryMicros,
    maxTopicSizeBytes: policy.maxTopicSizeBytes,
  };
}

function stripUndefined<T extends object>(value: T | undefined): Partial<T> {
  if (!value) return {};
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
