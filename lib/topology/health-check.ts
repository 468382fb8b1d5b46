import type { IggyConnector } from '../connectors/iggy-connector.js';
import {
  TOPIC_ROLES,
  resolveTopologyConfig,
  type TopologyConfig,
  type TopologyConfigInput,
} from './topology-config.js';

export type HealthStatus = 'healthy' | 'degraded' | 'unhealthy';

export interface HealthCheckOptions {
  /** A ping slower than this makes the status `degraded` (default 500 ms). */
  degradedLatencyMs?: number;
  /** A ping slower than this counts as failed: `unhealthy` (default 5000 ms). */
  timeoutMs?: number;
  /** The topology whose topics must exist (default: the connector's); `false` skips the topic check. */
  topology?: TopologyConfigInput | false;
}

export interface HealthDetails {
  connected: boolean;
  /** Ping round trip; `null` when no ping answered. */
  latencyMs: number | null;
  /** The Iggy server's version (`connector.serverVersion`); null when unknown. */
  serverVersion: string | null;
  degradedLatencyMs: number;
  stream?: string;
  /** Topic names of the topology found on the server. */
  topicsPresent: string[];
  /** Topic names of the topology not found (or that could not be read). */
  topicsMissing: string[];
  /** Why the status is not `healthy`, one sentence each. */
  reasons: string[];
}

export interface HealthReport {
  status: HealthStatus;
  latencyMs: number | null;
  details: HealthDetails;
}

/**
 * `unhealthy` when the connector is not connected or a ping fails (or times out); `degraded` when the
 * ping is slow or a topology topic is missing; `healthy` otherwise. Never throws.
 */
export async function healthCheck(
  connector: IggyConnector,
  options: HealthCheckOptions = {},
): Promise<HealthReport> {
  const degradedLatencyMs = options.degradedLatencyMs ?? 500;
  const details: HealthDetails = {
    connected: connector.isConnected(),
    latencyMs: null,
    serverVersion: connector.serverVersion ?? null,
    degradedLatencyMs,
    topicsPresent: [],
    topicsMissing: [],
    reasons: [],
  };
  const report = (status: HealthStatus): HealthReport => ({ status, latencyMs: details.latencyMs, details });
  if (!details.connected) {
    details.reasons.push('the connector is not connected');
    return report('unhealthy');
  }
  try {
    details.latencyMs = await withTimeout(connector.ping(), options.timeoutMs ?? 5000);
  } catch (err) {
    details.reasons.push(`ping failed: ${errorText(err)}`);
    return report('unhealthy');
  }
  let degraded = false;
  if (details.latencyMs > degradedLatencyMs) {
    details.reasons.push(`ping took ${details.latencyMs} ms, above ${degradedLatencyMs} ms`);
    degraded = true;
  }
  if (options.topology !== false)
    degraded = (await checkTopics(connector, options.topology, details)) || degraded;
  return report(degraded ? 'degraded' : 'healthy');
}

/** Fills the topic lists in; true when a topic is missing or could not be read. */
async function checkTopics(
  connector: IggyConnector,
  input: TopologyConfigInput | undefined,
  details: HealthDetails,
): Promise<boolean> {
  let config: TopologyConfig;
  try {
    config = resolveTopologyConfig(input, connector.config);
  } catch (err) {
    details.reasons.push(`topology config: ${errorText(err)}`);
    return true;
  }
  details.stream = config.streamName;
  const names = TOPIC_ROLES.map((role) => config.topics[role].name);
  const found = await Promise.all(
    names.map(async (name) => {
      try {
        return (await connector.getTopic(config.streamName, name)) !== null;
      } catch (err) {
        details.reasons.push(`could not read topic '${config.streamName}/${name}': ${errorText(err)}`);
        return false;
      }
    }),
  );
  names.forEach((name, i) => (found[i] ? details.topicsPresent : details.topicsMissing).push(name));
  if (details.topicsMissing.length > 0) {
    details.reasons.push(
      `topics missing from stream '${config.streamName}': ${details.topicsMissing.join(', ')}`,
    );
  }
  return details.topicsMissing.length > 0;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
