import { ValidateBy, type ValidationOptions } from 'class-validator';
import { Limits } from '../../protocol/limits.js';

/**
 * Validation rules of the config classes. Each message is relative to the field (`must be ...`, or
 * `[2] must be ...` for an element) and may hold several lines, one problem each; `validateIggyConfig`
 * puts the field's path in front (`remote.addresses[2] must be host:port, got 'x'`).
 */
type Check = (value: unknown) => string[];

function rule(name: string, check: Check, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name,
      validator: {
        validate: (value: unknown) => check(value).length === 0,
        defaultMessage: (args) => check(args?.value).join('\n'),
      },
    },
    options,
  );
}

/** A short, safe rendering of a bad value for a message. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return value.length > 60 ? `'${value.slice(0, 60)}…'` : `'${value}'`;
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'bigint') return `${value}n`;
  return String(value);
}

const must = (expected: string, value: unknown): string[] => [
  `must be ${expected}, got ${describeValue(value)}`,
];

function isInt(value: unknown, min: number, max: number): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

/** A stream, topic or group name: 1..255 bytes of UTF-8. */
export const IsIggyName = (): PropertyDecorator =>
  rule('isIggyName', (v) => {
    const bytes = typeof v === 'string' ? Buffer.byteLength(v, 'utf8') : -1;
    return bytes >= 1 && bytes <= Limits.maxNameBytes
      ? []
      : must(`a name of 1..${Limits.maxNameBytes} bytes`, v);
  });

export const IsNonEmptyText = (): PropertyDecorator =>
  rule('isNonEmptyText', (v) => (typeof v === 'string' && v.length > 0 ? [] : must('a non-empty string', v)));

export const IsOneOf = (values: readonly string[]): PropertyDecorator =>
  rule('isOneOf', (v) =>
    typeof v === 'string' && values.includes(v) ? [] : must(`one of ${values.join(', ')}`, v),
  );

export const IsIntIn = (min: number, max = Number.MAX_SAFE_INTEGER): PropertyDecorator =>
  rule('isIntIn', (v) =>
    isInt(v, min, max)
      ? []
      : must(max === Number.MAX_SAFE_INTEGER ? `an integer ≥ ${min}` : `an integer in ${min}..${max}`, v),
  );

/** A duration in ms (an integer ≥ 0) or `Infinity` (no limit). */
export const IsMillisOrInfinity = (): PropertyDecorator =>
  rule('isMillisOrInfinity', (v) =>
    v === Infinity || isInt(v, 0, Number.MAX_SAFE_INTEGER) ? [] : must('an integer ≥ 0 (ms) or Infinity', v),
  );

export const IsNumberIn = (min: number, max: number): PropertyDecorator =>
  rule('isNumberIn', (v) =>
    typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max
      ? []
      : must(`a number in ${min}..${max}`, v),
  );

export const IsBool = (): PropertyDecorator =>
  rule('isBool', (v) => (typeof v === 'boolean' ? [] : must('true or false', v)));

/** A listener port: 0 (ephemeral) .. 65535, or `null` for no listener. */
export const IsPortOrNull = (): PropertyDecorator =>
  rule('isPortOrNull', (v) =>
    v === null || isInt(v, 0, 65535) ? [] : must('a port in 0..65535 or null (no listener)', v),
  );

const HOST_PORT = /^(?:\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):(\d{1,5})$/;

/** `host:port` (IPv6 in brackets), port 1..65535. */
export function isHostPort(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const match = HOST_PORT.exec(value);
  return match !== null && Number(match[1]) >= 1 && Number(match[1]) <= 65535;
}

/** A non-empty list of `host:port`; each bad entry is its own problem. */
export const IsHostPortList = (): PropertyDecorator =>
  rule('isHostPortList', (v) => {
    if (!Array.isArray(v) || v.length === 0) return must('a non-empty list of host:port', v);
    return v.flatMap((entry, i) =>
      isHostPort(entry) ? [] : [`[${i}] must be host:port, got ${describeValue(entry)}`],
    );
  });

/** The embedded broker's fsync policy. */
export const IsFsyncMode = (): PropertyDecorator =>
  rule('isFsyncMode', (v) => {
    const expected = "{ kind: 'always' | 'never' } or { kind: 'interval', ms: integer ≥ 1 }";
    if (typeof v !== 'object' || v === null) return must(expected, v);
    const { kind, ms } = v as { kind?: unknown; ms?: unknown };
    if (kind === 'always' || kind === 'never') return [];
    if (kind === 'interval')
      return isInt(ms, 1, Number.MAX_SAFE_INTEGER) ? [] : [`.ms ${must('an integer ≥ 1', ms)[0]}`];
    return [`.kind ${must('one of always, interval, never', kind)[0]}`];
  });

/** A plain object (per-topic overrides); its content is checked when the topology is resolved. */
export const IsPlainObject = (): PropertyDecorator =>
  rule('isPlainObject', (v) =>
    typeof v === 'object' && v !== null && !Array.isArray(v) ? [] : must('an object', v),
  );
