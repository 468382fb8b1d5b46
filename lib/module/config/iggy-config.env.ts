import { Logger } from '@nestjs/common';
import type { IggyModuleOptions } from '../interfaces/iggy-module-options.interface.js';
import { IggyConfigError } from './iggy-config.error.js';
import { leadingOptionPath, setPath } from './option-paths.js';
import { configProblems } from './validate-iggy-config.js';

/** Environment variables `iggyConfigFromEnv` reads, and the option each sets. */
export const IGGY_ENV_VARS = {
  IGGY_MODE: 'mode',
  IGGY_SERIALIZATION: 'serialization',
  IGGY_STREAM: 'streamName',
  IGGY_TOPIC: 'topicName',
  IGGY_PARTITIONS: 'partitions',
  IGGY_DEFAULT_TENANT: 'defaultTenantId',
  IGGY_ADDRESSES: 'remote.addresses',
  IGGY_PROTOCOL: 'remote.protocol',
  IGGY_USERNAME: 'remote.username',
  IGGY_PASSWORD: 'remote.password',
  IGGY_TOKEN: 'remote.token',
  IGGY_TLS: 'remote.tlsEnabled',
  IGGY_TLS_DOMAIN: 'remote.tlsDomain',
  IGGY_TLS_CA_FILE: 'remote.tlsCaFile',
  IGGY_REQUEST_TIMEOUT_MS: 'remote.requestTimeoutMs',
  IGGY_OFFLINE_TIMEOUT_MS: 'remote.offlineTimeoutMs',
  IGGY_PUBLISH_LINGER_MS: 'publish.lingerMs',
  IGGY_PUBLISH_MAX_BATCH_MESSAGES: 'publish.maxBatchMessages',
  IGGY_PUBLISH_MAX_BATCH_BYTES: 'publish.maxBatchBytes',
  IGGY_PUBLISH_MAX_IN_FLIGHT_MESSAGES: 'publish.maxInFlightMessages',
  IGGY_PUBLISH_MAX_IN_FLIGHT_BYTES: 'publish.maxInFlightBytes',
  IGGY_PUBLISH_MAX_WAITING_MESSAGES: 'publish.maxWaitingMessages',
  IGGY_PUBLISH_MAX_WAITING_BYTES: 'publish.maxWaitingBytes',
  IGGY_PUBLISH_BACKPRESSURE_TIMEOUT_MS: 'publish.backpressureTimeoutMs',
  IGGY_SHUTDOWN_TIMEOUT_MS: 'shutdownTimeoutMs',
  IGGY_DATA_DIR: 'embedded.dataDir',
  IGGY_HOST: 'embedded.host',
  IGGY_HTTP_HOST: 'embedded.httpHost',
  IGGY_TCP_PORT: 'embedded.tcpPort',
  IGGY_HTTP_PORT: 'embedded.httpPort',
  IGGY_PERSISTENT: 'embedded.persistent',
  IGGY_ROOT_USERNAME: 'embedded.rootUsername',
  IGGY_ROOT_PASSWORD: 'embedded.rootPassword',
  IGGY_ALLOW_DEFAULT_ROOT_PASSWORD: 'embedded.allowDefaultRootPassword',
  IGGY_REPLICATION_FACTOR: 'topology.replicationFactor',
  IGGY_DLQ_TOPIC: 'dlq.topic',
  IGGY_RETRY_ATTEMPTS: 'retry.attempts',
  IGGY_RETRY_INITIAL_DELAY_MS: 'retry.initialDelayMs',
  IGGY_RETRY_MAX_DELAY_MS: 'retry.maxDelayMs',
  IGGY_HANDLER_CONCURRENCY: 'handlers.concurrency',
  IGGY_HANDLER_SHUTDOWN_TIMEOUT_MS: 'handlers.shutdownTimeoutMs',
  IGGY_HANDLER_POLL_INTERVAL_MS: 'handlers.pollIntervalMs',
  IGGY_HANDLER_COMMIT_EVERY: 'handlers.commitEvery',
  IGGY_HANDLER_COMMIT_INTERVAL_MS: 'handlers.commitIntervalMs',
  IGGY_REPLY_TOPIC: 'requestReply.replyTopic',
  IGGY_REQUEST_REPLY_TIMEOUT_MS: 'requestReply.timeoutMs',
} as const;

type Kind = 'text' | 'int' | 'millis' | 'bool' | 'port' | 'list';
const KIND: Partial<Record<keyof typeof IGGY_ENV_VARS, Kind>> = {
  IGGY_PARTITIONS: 'int',
  IGGY_ADDRESSES: 'list',
  IGGY_TLS: 'bool',
  IGGY_REQUEST_TIMEOUT_MS: 'int',
  IGGY_OFFLINE_TIMEOUT_MS: 'millis',
  IGGY_PUBLISH_LINGER_MS: 'int',
  IGGY_PUBLISH_MAX_BATCH_MESSAGES: 'int',
  IGGY_PUBLISH_MAX_BATCH_BYTES: 'int',
  IGGY_PUBLISH_MAX_IN_FLIGHT_MESSAGES: 'int',
  IGGY_PUBLISH_MAX_IN_FLIGHT_BYTES: 'int',
  IGGY_PUBLISH_MAX_WAITING_MESSAGES: 'int',
  IGGY_PUBLISH_MAX_WAITING_BYTES: 'int',
  IGGY_PUBLISH_BACKPRESSURE_TIMEOUT_MS: 'int',
  IGGY_SHUTDOWN_TIMEOUT_MS: 'int',
  IGGY_TCP_PORT: 'port',
  IGGY_HTTP_PORT: 'port',
  IGGY_PERSISTENT: 'bool',
  IGGY_ALLOW_DEFAULT_ROOT_PASSWORD: 'bool',
  IGGY_REPLICATION_FACTOR: 'int',
  IGGY_RETRY_ATTEMPTS: 'int',
  IGGY_RETRY_INITIAL_DELAY_MS: 'int',
  IGGY_RETRY_MAX_DELAY_MS: 'int',
  IGGY_HANDLER_CONCURRENCY: 'int',
  IGGY_HANDLER_SHUTDOWN_TIMEOUT_MS: 'int',
  IGGY_HANDLER_POLL_INTERVAL_MS: 'int',
  IGGY_HANDLER_COMMIT_EVERY: 'int',
  IGGY_HANDLER_COMMIT_INTERVAL_MS: 'int',
  IGGY_REQUEST_REPLY_TIMEOUT_MS: 'int',
};

/**
 * The module config from environment variables (`IGGY_ENV_VARS`); unset or empty ones are left out so
 * their defaults apply. Numbers and booleans (`true/false`, `1/0`, `yes/no`, `on/off`) are parsed; a
 * port of `none`/`off`/`null` means no listener; `IGGY_OFFLINE_TIMEOUT_MS=infinity` means no limit;
 * `IGGY_ADDRESSES` is comma-separated. A value that is not valid fails with one `IggyConfigError` naming
 * each variable (`IGGY_PARTITIONS must be an integer in 1..., got 'many'`); an `IGGY_*` variable that is
 * not one of these is logged as a warning (a typo).
 *
 * With `@nestjs/config`: `ConfigModule.forRoot({ load: [iggyConfigLoader()] })`, or
 * `registerAs('iggy', () => iggyConfigFromEnv(process.env))`.
 */
export function iggyConfigFromEnv(env: Record<string, string | undefined> = process.env): IggyModuleOptions {
  const out: Record<string, unknown> = {};
  for (const [name, path] of Object.entries(IGGY_ENV_VARS)) {
    const raw = env[name]?.trim();
    if (raw === undefined || raw === '') continue;
    setPath(out, path, parse(raw, KIND[name as keyof typeof IGGY_ENV_VARS] ?? 'text'));
  }
  warnUnknownVariables(env);
  const problems = variableProblems(out);
  if (problems.length > 0) throw new IggyConfigError(problems, 'environment variables');
  return out as IggyModuleOptions;
}

/** The config's problems that one variable causes, told with the variable's name instead of the option's. */
function variableProblems(config: Record<string, unknown>): string[] {
  const byOption = new Map(Object.entries(IGGY_ENV_VARS).map(([name, path]) => [path as string, name]));
  return configProblems(config).flatMap((problem) => {
    const option = leadingOptionPath(problem);
    const name = byOption.get(option);
    return name ? [`${name}${problem.slice(option.length)}`] : [];
  });
}

const warned = new Set<string>();

/** Logs each `IGGY_*` variable this package does not read, once per process, with a likely meant one. */
function warnUnknownVariables(env: Record<string, string | undefined>): void {
  const known = Object.keys(IGGY_ENV_VARS);
  for (const name of Object.keys(env)) {
    if (!name.startsWith('IGGY_') || name in IGGY_ENV_VARS || warned.has(name)) continue;
    warned.add(name);
    const meant = known.find((k) => k.startsWith(name) || name.startsWith(k));
    new Logger('IggyConfig').warn(
      `${name} is not a variable nestjs-iggy reads (ignored)${meant ? `: did you mean ${meant}?` : ''}`,
    );
  }
}

function parse(raw: string, kind: Kind): unknown {
  switch (kind) {
    case 'text':
      return raw;
    case 'int':
      return /^-?\d+$/.test(raw) ? Number(raw) : raw;
    case 'millis':
      return /^(infinity|none|off)$/i.test(raw) ? Infinity : parse(raw, 'int');
    case 'port':
      return /^(none|off|null)$/i.test(raw) ? null : parse(raw, 'int');
    case 'bool':
      if (/^(true|1|yes|on)$/i.test(raw)) return true;
      if (/^(false|0|no|off)$/i.test(raw)) return false;
      return raw;
    case 'list':
      return raw
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0);
  }
}
