import { isInteger, isSafeNumber, parse, stringify } from 'lossless-json';
import { ProtocolError } from '../protocol-error.js';

/**
 * JSON as Iggy's HTTP API writes it: u64 and u128 fields (offsets, message ids, expiries of u64::MAX)
 * are bare numbers past 2^53, which `JSON.parse` would round. Integers that are not safe numbers come
 * back as bigints (lossless-json), and bigints are written back as bare numbers.
 */
export function parseJson(text: string, what: string): unknown {
  try {
    return parse(text, null, (value) =>
      isInteger(value) && !isSafeNumber(value) ? BigInt(value) : Number(value),
    );
  } catch (err) {
    throw new ProtocolError('InvalidValue', `${what}: not JSON (${(err as Error).message})`);
  }
}

export function toJson(value: unknown): string {
  return stringify(value) ?? 'null';
}

/** A JSON object's fields, read with the names of the route they come from in errors. */
export class JsonFields {
  private constructor(
    private readonly fields: Record<string, unknown>,
    readonly what: string,
  ) {}

  static of(value: unknown, what: string): JsonFields {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new ProtocolError('InvalidValue', `${what}: expected an object`);
    }
    return new JsonFields(value as Record<string, unknown>, what);
  }

  has(name: string): boolean {
    return this.fields[name] !== undefined && this.fields[name] !== null;
  }

  raw(name: string): unknown {
    return this.fields[name];
  }

  object(name: string): JsonFields {
    return JsonFields.of(this.fields[name], `${this.what}.${name}`);
  }

  array(name: string): unknown[] {
    const value = this.fields[name];
    if (!Array.isArray(value)) throw this.bad(name, 'an array');
    return value;
  }

  string(name: string): string {
    const value = this.fields[name];
    if (typeof value !== 'string') throw this.bad(name, 'a string');
    return value;
  }

  bool(name: string): boolean {
    const value = this.fields[name];
    if (typeof value !== 'boolean') throw this.bad(name, 'a boolean');
    return value;
  }

  /** An integer within 0..2^32-1. */
  u32(name: string): number {
    const value = this.fields[name];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0xffffffff) {
      throw this.bad(name, 'a u32');
    }
    return value;
  }

  /** A non-negative integer as a bigint (u64, u128). */
  big(name: string): bigint {
    const value = this.fields[name];
    if (typeof value === 'bigint' && value >= 0n) return value;
    if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return BigInt(value);
    throw this.bad(name, 'a non-negative integer');
  }

  number(name: string): number {
    const value = this.fields[name];
    if (typeof value === 'number') return value;
    if (typeof value === 'bigint') return Number(value);
    throw this.bad(name, 'a number');
  }

  /** A byte count: a number, or the server's human form with an exact unit (`134 B`, `10 KB`, `3 MiB`). */
  bytes(name: string): bigint {
    const value = this.fields[name];
    if (typeof value !== 'string') return this.big(name);
    const parsed = parseByteSize(value);
    if (parsed === null) throw this.bad(name, 'a byte size');
    return parsed;
  }

  private bad(name: string, expected: string): ProtocolError {
    return new ProtocolError(
      'InvalidValue',
      `${this.what}.${name}: expected ${expected}, got ${describe(this.fields[name])}`,
    );
  }
}

const UNITS: Record<string, bigint> = { B: 1n };
['K', 'M', 'G', 'T', 'P', 'E', 'Z'].forEach((prefix, i) => {
  UNITS[`${prefix}B`] = 1000n ** BigInt(i + 1);
  UNITS[`${prefix}iB`] = 1024n ** BigInt(i + 1);
});

/** `134 B`, `10 KB`, `1.5 MiB` (the server writes exact units, so a fraction is rare), or a bare number. */
export function parseByteSize(text: string): bigint | null {
  const match = /^\s*(\d+)(?:\.(\d+))?\s*([KMGTPEZ]i?B|B)?\s*$/.exec(text);
  if (!match) return null;
  const unit = UNITS[match[3] ?? 'B']!;
  const fraction = match[2] ?? '';
  const scaled = BigInt(match[1]! + fraction) * unit;
  return scaled / 10n ** BigInt(fraction.length);
}

/** `table[key]` for the table's own keys only (never `constructor`, `__proto__` and the like). */
export function lookup<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/** A value for an error message, short. */
export function describeJson(value: unknown): string {
  return describe(value);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `'${value.slice(0, 40)}'`;
  if (value === undefined) return 'nothing';
  if (typeof value === 'bigint') return `${value}`;
  try {
    return (toJson(value) ?? String(value)).slice(0, 40);
  } catch {
    return typeof value;
  }
}

/** Reads a JSON array of objects. */
export function readList<T>(value: unknown, what: string, read: (f: JsonFields) => T): T[] {
  if (!Array.isArray(value)) throw new ProtocolError('InvalidValue', `${what}: expected an array`);
  // Array.from visits holes too (a sparse array from a caller is not JSON, but must not slip through).
  return Array.from(value as unknown[], (item, i) => read(JsonFields.of(item, `${what}[${i}]`)));
}
