import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { ConnectorError } from '../../connectors/connector-error.js';
import { resolveConnectorConfig } from '../../connectors/connector-config.js';
import { resolveTopologyConfig } from '../../topology/topology-config.js';
import type { IggyModuleOptions } from '../interfaces/iggy-module-options.interface.js';
import { describeValue } from './config-rules.js';
import { IggyConfigError } from './iggy-config.error.js';
import { IggyConfig } from './iggy-config.schema.js';
import { outboxConfigProblems } from './outbox-config-problems.js';
import { topologyInputOf } from './resolve-iggy-options.js';
import { REQUEST_REPLY_DEFAULTS } from '../../transport/iggy-transport.constants.js';

const UNKNOWN = ' is not a known option';

/**
 * Keys of `IggyModuleOptions` that are not plain config (functions, classes, module extras); `outbox`
 * and `metrics` hold live objects and have checks of their own.
 */
const NOT_CONFIG = new Set(['connector', 'isGlobal', 'outbox', 'metrics']);

const METRICS_KEYS = new Set(['registry', 'prefix', 'maxEventTypes']);

/** `handlers.idempotencyStore` is a live object too: kept from class-transformer, checked by its methods. */
const IDEMPOTENCY_STORE = 'idempotencyStore';
const IDEMPOTENCY_STORE_METHODS = ['handled', 'record', 'prune'] as const;

/**
 * Checks a module config and returns it unchanged, or throws one `IggyConfigError` listing every bad
 * field and why (unknown keys included, so a typo does not pass silently).
 */
export function validateIggyConfig<T extends IggyModuleOptions>(options: T, source?: string): T {
  const problems = configProblems(options);
  if (problems.length > 0) throw new IggyConfigError(problems, source);
  return options;
}

/** Every problem of a config, one sentence each; empty when it is fine. */
export function configProblems(options: unknown): string[] {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    return [`the config must be an object, got ${describeValue(options)}`];
  }
  const data = Object.fromEntries(Object.entries(options).filter(([key]) => !NOT_CONFIG.has(key)));
  const handlers: unknown = data.handlers;
  const store = isBlock(handlers) ? handlers[IDEMPOTENCY_STORE] : undefined;
  if (isBlock(handlers) && IDEMPOTENCY_STORE in handlers) {
    data.handlers = Object.fromEntries(Object.entries(handlers).filter(([key]) => key !== IDEMPOTENCY_STORE));
  }
  const instance = plainToInstance(IggyConfig, data);
  const errors = validateSync(instance, {
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: false,
    validationError: { target: false, value: false },
  });
  const all = errors.flatMap((e) => flatten(e, ''));
  const outbox = (options as IggyModuleOptions).outbox;
  if (outbox !== undefined) all.push(...outboxConfigProblems(outbox));
  if (store !== undefined) all.push(...idempotencyStoreProblems(store));
  all.push(...metricsProblems((options as IggyModuleOptions).metrics));
  const unknown = (p: string): boolean => p.endsWith(UNKNOWN);
  const problems = [...all.filter((p) => !unknown(p)), ...all.filter(unknown)];
  if (problems.length === 0) problems.push(...crossFieldProblems(options as IggyModuleOptions));
  return problems;
}

function metricsProblems(metrics: unknown): string[] {
  if (metrics === undefined || typeof metrics === 'boolean') return [];
  if (!isBlock(metrics))
    return [`metrics must be true, false or an options object, got ${describeValue(metrics)}`];
  const problems = Object.keys(metrics)
    .filter((key) => !METRICS_KEYS.has(key))
    .map((key) => `metrics.${key}: unknown option (expected ${[...METRICS_KEYS].join(', ')})`);
  const { registry, prefix, maxEventTypes } = metrics;
  if (registry !== undefined && typeof (registry as { metrics?: unknown }).metrics !== 'function') {
    problems.push('metrics.registry must be a prom-client Registry');
  }
  if (prefix !== undefined && (typeof prefix !== 'string' || !/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(prefix))) {
    problems.push(`metrics.prefix must be a Prometheus metric name prefix, got ${describeValue(prefix)}`);
  }
  if (maxEventTypes !== undefined && !(Number.isInteger(maxEventTypes) && (maxEventTypes as number) >= 1)) {
    problems.push(`metrics.maxEventTypes must be a positive integer, got ${describeValue(maxEventTypes)}`);
  }
  return problems;
}

function idempotencyStoreProblems(store: unknown): string[] {
  const methods = IDEMPOTENCY_STORE_METHODS;
  if (isBlock(store) && methods.every((m) => typeof store[m] === 'function')) return [];
  return [
    `handlers.${IDEMPOTENCY_STORE} must be an IdempotencyStore (with ${methods.join(', ')}), ` +
      `got ${describeValue(store)}`,
  ];
}

function isBlock(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function flatten(error: ValidationError, parent: string): string[] {
  const path = parent ? `${parent}.${error.property}` : error.property;
  const own = Object.entries(error.constraints ?? {}).flatMap(([key, message]) => {
    if (key === 'whitelistValidation') return [`${path}${UNKNOWN}`];
    if (key === 'nestedValidation') return [`${path} must be an object`];
    return message.split('\n').map((line) => join(path, SECRET_FIELD.test(path) ? hideValue(line) : line));
  });
  return [...own, ...(error.children ?? []).flatMap((child) => flatten(child, path))];
}

/** Fields whose value must never appear in a message (a boot failure is logged). */
const SECRET_FIELD = /(password|token)$/i;

function hideValue(line: string): string {
  return line.replace(/, got .*$/, ', got a value that is not shown (a secret)');
}

/** `path` + `must be ...`, or `path` + `[2] must ...` / `.ms must ...` for a part of the field. */
function join(path: string, line: string): string {
  return line.startsWith('[') || line.startsWith('.') ? `${path}${line}` : `${path} ${line}`;
}

/** Rules across fields, checked once every field on its own is fine. */
function crossFieldProblems(options: IggyModuleOptions): string[] {
  const problems: string[] = [];
  const retry = options.retry ?? {};
  if (retry.initialDelayMs !== undefined && retry.maxDelayMs !== undefined) {
    if (retry.maxDelayMs < retry.initialDelayMs) {
      problems.push(
        `retry.maxDelayMs must be ≥ retry.initialDelayMs (${retry.initialDelayMs}), got ${retry.maxDelayMs}`,
      );
    }
  }
  const replyTopic = options.requestReply?.replyTopic ?? REQUEST_REPLY_DEFAULTS.replyTopic;
  const connector = resolveConnectorConfig(options);
  try {
    const topology = resolveTopologyConfig(topologyInputOf(options), connector);
    const clash = Object.entries(topology.topics).find(([, t]) => t.name === replyTopic);
    if (clash) {
      problems.push(`requestReply.replyTopic '${replyTopic}' is also the ${clash[0]} topic's name`);
    }
  } catch (err) {
    if (!(err instanceof ConnectorError)) throw err;
    problems.push(err.message);
  }
  return problems;
}
