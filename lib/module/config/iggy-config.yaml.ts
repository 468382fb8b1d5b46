import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { IggyModuleOptions } from '../interfaces/iggy-module-options.interface.js';
import { describeValue } from './config-rules.js';
import { IggyConfigError } from './iggy-config.error.js';
import { validateIggyConfig } from './validate-iggy-config.js';

export interface IggyYamlOptions {
  /** Dotted path of the block inside the document (default `events.iggy`). */
  key?: string;
}

/**
 * The module config from a YAML file shaped like the seeds' `events.iggy` block:
 *
 * ```yaml
 * events:
 *   iggy:
 *     mode: embedded            # or remote
 *     serialization: json
 *     topology: { stream_name: shop, domain_partitions: 8, replication_factor: 1 }
 *     embedded: { data_dir: ./data/iggy, tcp_port: 8090, http_port: 9090 }
 *     remote: { addresses: ["127.0.0.1:8090"], protocol: tcp, username: iggy, password: iggy, tls_enabled: false }
 *     retention: { domain_max_age_days: 30, domain_max_size_gb: 10, system_max_age_days: 7, dlq_max_age_days: 365 }
 * ```
 *
 * snake_case keys become the camelCase options; `topology.stream_name` → `streamName`,
 * `topology.domain_partitions` → `partitions`, `topology.topic_name` → `topicName`,
 * `topology.dlq_topic` → `dlq.topic`, `retention` → `topology.retention`; every other key keeps its
 * place (`retry`, `dlq`, `handlers`, `request_reply`, ...). The result is validated: a bad or unknown
 * field fails with an `IggyConfigError` naming the file.
 */
export function iggyConfigFromYaml(path: string, options: IggyYamlOptions = {}): IggyModuleOptions {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new IggyConfigError([`cannot read the file: ${(err as Error).message}`], path);
  }
  return iggyConfigFromYamlText(text, { ...options, source: path });
}

/** As `iggyConfigFromYaml`, from the document's text. */
export function iggyConfigFromYamlText(
  text: string,
  options: IggyYamlOptions & { source?: string } = {},
): IggyModuleOptions {
  const source = options.source ?? 'YAML';
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new IggyConfigError([`not valid YAML: ${(err as Error).message}`], source);
  }
  const key = options.key ?? 'events.iggy';
  let block: unknown = doc;
  for (const part of key.split('.')) {
    block = isObject(block) ? block[part] : undefined;
  }
  if (!isObject(block)) {
    throw new IggyConfigError([`'${key}' must be an object, got ${describeValue(block)}`], source);
  }
  return validateIggyConfig(mapSeedBlock(camelKeys(block) as Record<string, unknown>), source);
}

/** Moves the seed block's parts to where `IggyModuleOptions` has them. */
function mapSeedBlock(block: Record<string, unknown>): IggyModuleOptions {
  const out: Record<string, unknown> = { ...block };
  const topology = isObject(block.topology) ? { ...block.topology } : undefined;
  if (topology) {
    move(topology, 'streamName', out, 'streamName');
    move(topology, 'domainPartitions', out, 'partitions');
    move(topology, 'topicName', out, 'topicName');
    if ('dlqTopic' in topology) {
      out.dlq = { ...(isObject(out.dlq) ? out.dlq : {}), topic: topology.dlqTopic };
      delete topology.dlqTopic;
    }
    if (isObject(topology.topics)) topology.topics = bigintTopics(topology.topics);
    out.topology = topology;
  }
  if ('retention' in block) {
    out.topology = { ...(isObject(out.topology) ? out.topology : {}), retention: block.retention };
    delete out.retention;
  }
  return out as IggyModuleOptions;
}

function move(from: Record<string, unknown>, key: string, to: Record<string, unknown>, as: string): void {
  if (key in from) {
    to[as] = from[key];
    delete from[key];
  }
}

/** YAML has no bigints: per-topic µs and byte counts written as integers become bigints. */
function bigintTopics(topics: Record<string, unknown>): Record<string, unknown> {
  const convert = (v: unknown): unknown => (Number.isSafeInteger(v) ? BigInt(v as number) : v);
  return Object.fromEntries(
    Object.entries(topics).map(([role, t]) => [
      role,
      isObject(t)
        ? {
            ...t,
            ...('messageExpiryMicros' in t && { messageExpiryMicros: convert(t.messageExpiryMicros) }),
            ...('maxTopicSizeBytes' in t && { maxTopicSizeBytes: convert(t.maxTopicSizeBytes) }),
          }
        : t,
    ]),
  );
}

function camelKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelKeys);
  if (!isObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      k.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()),
      camelKeys(v),
    ]),
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
