export {
  DEFAULT_DLQ_PARTITIONS,
  TOPIC_ROLES,
  days,
  defaultTopicRetention,
  gigabytes,
  resolveTopologyConfig,
  topicSpecOf,
  validateTopologyConfig,
  type TopicPolicy,
  type TopicRole,
  type TopologyConfig,
  type TopologyConfigInput,
} from './topology-config.js';
export {
  TopologyManager,
  type TopicReport,
  type TopologyLogger,
  type TopologyReport,
} from './topology-manager.js';
export {
  healthCheck,
  type HealthCheckOptions,
  type HealthDetails,
  type HealthReport,
  type HealthStatus,
} from './health-check.js';
export type { TopicOutcome } from '../connectors/ensure-topic.js';
