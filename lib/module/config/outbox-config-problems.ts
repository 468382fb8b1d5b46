import { Limits } from '../../protocol/limits.js';
import { describeValue } from './config-rules.js';

/*
 * Checks of the `outbox` block. It holds live objects (the store, a serializer, metrics hooks), so it is
 * checked here field by field instead of through class-transformer (which would rebuild those objects);
 * the messages read like the other fields' (`outbox.relay.batchSize must be an integer ≥ 1, got 0`).
 */

type Problems = string[];
type Check = (value: unknown, path: string, problems: Problems) => void;

const STORE_METHODS = ['ensureSchema', 'insert', 'claim', 'purge', 'lag'] as const;
const SERIALIZER_METHODS = ['serialize', 'deserialize'] as const;
const METRIC_HOOKS = ['onPublished', 'onFailure', 'onDead', 'onPurged', 'onLag'] as const;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const must = (path: string, expected: string, value: unknown, problems: Problems): void => {
  problems.push(`${path} must be ${expected}, got ${describeValue(value)}`);
};

const int =
  (min: number, max = Number.MAX_SAFE_INTEGER): Check =>
  (v, path, problems) => {
    if (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max) return;
    must(
      path,
      max === Number.MAX_SAFE_INTEGER ? `an integer ≥ ${min}` : `an integer in ${min}..${max}`,
      v,
      problems,
    );
  };

const number =
  (min: number, max: number): Check =>
  (v, path, problems) => {
    if (typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max) return;
    must(path, `a number in ${min}..${max}`, v, problems);
  };

const bool: Check = (v, path, problems) => {
  if (typeof v !== 'boolean') must(path, 'true or false', v, problems);
};

const withMethods =
  (what: string, methods: readonly string[]): Check =>
  (v, path, problems) => {
    const missing = isObject(v) ? methods.filter((m) => typeof v[m] !== 'function') : methods;
    if (missing.length > 0) must(path, `${what} (with ${methods.join(', ')})`, v, problems);
  };

const name: Check = (v, path, problems) => {
  const bytes = typeof v === 'string' ? Buffer.byteLength(v, 'utf8') : -1;
  if (bytes < 1 || bytes > Limits.maxNameBytes)
    must(path, `a name of 1..${Limits.maxNameBytes} bytes`, v, problems);
};

/** Checks the known fields of an object block and reports the unknown ones. */
function block(fields: Record<string, Check>): Check {
  return (v, path, problems) => {
    if (!isObject(v)) return must(path, 'an object', v, problems);
    for (const [key, value] of Object.entries(v)) {
      if (value === undefined) continue;
      const check = fields[key];
      if (check) check(value, `${path}.${key}`, problems);
      else problems.push(`${path}.${key} is not a known option`);
    }
  };
}

const backoff = block({
  initialMs: int(0),
  maxMs: int(0),
  multiplier: number(1, 100),
  jitter: number(0, 1),
});

/** An object whose `OutboxRelayMetrics` hooks, when present, are functions (other members allowed). */
const metrics: Check = (v, path, problems) => {
  if (!isObject(v)) return must(path, 'an object of hooks (onPublished, onLag, ...)', v, problems);
  for (const hook of METRIC_HOOKS) {
    if (v[hook] !== undefined && typeof v[hook] !== 'function')
      must(`${path}.${hook}`, 'a function', v[hook], problems);
  }
};

const relayFields = block({
  batchSize: int(1, 100_000),
  busyPollMs: int(0),
  lingerMs: int(0),
  pollIntervalMs: int(1),
  watchPollIntervalMs: int(1),
  standbyPollMs: int(1),
  backoff,
  retentionMs: (v, path, problems) => (v === null ? undefined : int(0)(v, path, problems)),
  purgeIntervalMs: int(1),
  verifyPayloads: (v, path, problems) =>
    v === false
      ? undefined
      : withMethods('false or a SerializerRegistry', ['find', 'get'])(v, path, problems),
  metrics,
  lagIntervalMs: int(1),
  logger: withMethods('a logger', ['warn', 'error']),
});

const relay: Check = (v, path, problems) => {
  if (v === false) return;
  if (!isObject(v)) return must(path, 'false or an object', v, problems);
  relayFields(v, path, problems);
  const b = v.backoff;
  if (
    isObject(b) &&
    typeof b.initialMs === 'number' &&
    typeof b.maxMs === 'number' &&
    b.maxMs < b.initialMs
  ) {
    problems.push(
      `${path}.backoff.maxMs must be ≥ ${path}.backoff.initialMs (${b.initialMs}), got ${b.maxMs}`,
    );
  }
};

const target: Check = (v, path, problems) => {
  if (!isObject(v)) return must(path, 'an object { stream, topic }', v, problems);
  block({ stream: name, topic: name })(v, path, problems);
  for (const key of ['stream', 'topic'])
    if (v[key] === undefined) problems.push(`${path}.${key} is required`);
};

const outbox = block({
  store: withMethods('an OutboxStore', STORE_METHODS),
  ensureSchema: bool,
  relay,
  serializer: withMethods('a Serializer', SERIALIZER_METHODS),
  target,
});

/** Every problem of an `outbox` option block, one sentence each (paths start with `path`). */
export function outboxConfigProblems(value: unknown, path = 'outbox'): string[] {
  const problems: Problems = [];
  outbox(value, path, problems);
  if (isObject(value) && value.store === undefined) problems.unshift(`${path}.store is required`);
  return problems;
}
