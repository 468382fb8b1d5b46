import { resolveConnectorConfig } from '../../connectors/connector-config.js';
import { days, gigabytes, type TopologyConfigInput } from '../../topology/topology-config.js';
import { defaultRetryOptions } from '../../consumer/retry-options.js';
import { DEFAULT_DLQ_OPTIONS, DEFAULT_HANDLER_OPTIONS } from '../../handlers/handler-settings.js';
import { REQUEST_REPLY_DEFAULTS } from '../../transport/iggy-transport.constants.js';
import type { IggyModuleOptions, RetentionOptions } from '../interfaces/iggy-module-options.interface.js';
import type { ResolvedIggyModuleOptions } from '../interfaces/resolved-iggy-options.interface.js';

/** The seeds' retention: domain 30 days / 10 GB, system 7 days, dead letters 365 days. */
export const defaultRetentionOptions: RetentionOptions = {
  domainMaxAgeDays: 30,
  domainMaxSizeGb: 10,
  systemMaxAgeDays: 7,
  dlqMaxAgeDays: 365,
};

/** Fills every default in (call `validateIggyConfig` first). */
export function resolveIggyOptions(options: IggyModuleOptions): ResolvedIggyModuleOptions {
  const resolved: ResolvedIggyModuleOptions = {
    ...resolveConnectorConfig(options),
    serialization: options.serialization ?? 'json',
    retry: { ...defaultRetryOptions, ...defined(options.retry) },
    dlq: { ...DEFAULT_DLQ_OPTIONS, ...defined(options.dlq) },
    handlers: { ...DEFAULT_HANDLER_OPTIONS, ...defined(options.handlers) },
    requestReply: { ...REQUEST_REPLY_DEFAULTS, ...defined(options.requestReply) },
    topology: { ensure: options.topology?.ensure ?? true, input: topologyInputOf(options) },
    tracing: options.tracing ?? true,
  };
  if (options.metrics) resolved.metrics = options.metrics === true ? {} : options.metrics;
  if (options.defaultTenantId !== undefined) resolved.defaultTenantId = options.defaultTenantId;
  if (options.connector !== undefined) resolved.connector = options.connector;
  if (options.outbox !== undefined) resolved.outbox = options.outbox;
  return resolved;
}

/** What `TopologyManager` gets: names, partitions, replication and retention in its units. */
export function topologyInputOf(options: IggyModuleOptions): TopologyConfigInput {
  const topology = options.topology ?? {};
  const retention = { ...defaultRetentionOptions, ...defined(topology.retention) };
  const input: TopologyConfigInput = {
    topics: {
      domain: {
        messageExpiryMicros: days(retention.domainMaxAgeDays),
        maxTopicSizeBytes: gigabytes(retention.domainMaxSizeGb),
        ...defined(topology.topics?.domain),
      },
      system: {
        ...(topology.systemTopic !== undefined && { name: topology.systemTopic }),
        messageExpiryMicros: days(retention.systemMaxAgeDays),
        ...defined(topology.topics?.system),
      },
      dlq: {
        ...(options.dlq?.topic !== undefined && { name: options.dlq.topic }),
        messageExpiryMicros: days(retention.dlqMaxAgeDays),
        ...defined(topology.topics?.dlq),
      },
    },
  };
  if (options.streamName !== undefined) input.streamName = options.streamName;
  if (options.partitions !== undefined) input.partitions = options.partitions;
  if (topology.replicationFactor !== undefined) input.replicationFactor = topology.replicationFactor;
  return input;
}

function defined<T extends object>(value: T | undefined): Partial<T> {
  if (!value) return {};
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
