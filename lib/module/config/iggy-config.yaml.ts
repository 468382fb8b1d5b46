import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { IggyModuleOptions } from '../interfaces/iggy-module-options.interface.js';
import { describeValue } from './config-rules.js';
import { IggyConfigError } from './iggy-config.error.js';
import { leadingOptionPath, setPath, takePath } from './option-paths.js';
import { configProblems } from './validate-iggy-config.js';

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
  const config = mapSeedBlock(camelKeys(block) as Record<string, unknown>);
  const problems = configProblems(config);
  if (problems.length > 0) throw new IggyConfigError(problems.map(inWrittenKeys(block, key)), source);
  return config;
}

/**
 * Where the seed block's keys go in `IggyModuleOptions`, when not to their own place (after
 * snake_case → camelCase): a key and everything under it.
 */
const SEED_MOVES: readonly (readonly [from: string, to: string])[] = [
  ['topology.streamName', 'streamName'],
  ['topology.domainPartitions', 'partitions'],
  ['topology.topicName', 'topicName'],
  ['topology.dlqTopic', 'dlq.topic'],
  ['retention', 'topology.retention'],
];

/** Moves the seed block's parts to where `IggyModuleOptions` has them (`block` is a fresh copy: changed in place). */
function mapSeedBlock(block: Record<string, unknown>): IggyModuleOptions {
  for (const [from, to] of SEED_MOVES) {
    const taken = takePath(block, from);
    if (taken.found) setPath(block, to, taken.value);
  }
  const topology = block.topology;
  if (isObject(topology) && isObject(topology.topics)) topology.topics = bigintTopics(topology.topics);
  return block as IggyModuleOptions;
}

/** The option path a key path of the block (camelCased) ends up at. */
function optionPathOf(keyPath: string): string {
  for (const [from, to] of SEED_MOVES) {
    if (keyPath === from || keyPath.startsWith(`${from}.`)) return to + keyPath.slice(from.length);
  }
  return keyPath;
}

/**
 * A problem told with the key the user wrote instead of the option path it became
 * (`retry.maxAttempts is not a known option` → `events.iggy.retry.max_attempts is not a known option`).
 */
function inWrittenKeys(block: Record<string, unknown>, key: string): (problem: string) => string {
  const written = new Map<string, string>();
  const walk = (value: unknown, path: string, camelPath: string): void => {
    if (camelPath !== '') written.set(optionPathOf(camelPath), path);
    if (!isObject(value)) return;
    for (const [k, v] of Object.entries(value)) {
      walk(v, `${path}.${k}`, camelPath === '' ? camelKey(k) : `${camelPath}.${camelKey(k)}`);
    }
  };
  walk(block, key, '');
  // The leading path, and any other dotted one (a rule across fields names two; a plain word is not replaced).
  return (problem) => {
    const option = leadingOptionPath(problem);
    const rest = problem
      .slice(option.length)
      .replace(/(?<![\w.])[A-Za-z]\w*(?:\.\w+)+/g, (path) => written.get(path) ?? path);
    return (written.get(option) ?? option) + rest;
  };
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
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [camelKey(k), camelKeys(v)]));
}

function camelKey(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
