import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Vector {
  file: string;
  name: string;
  command: string;
  code: number;
  input: unknown;
  payload_hex: string;
  frame_hex: string;
}

/** Vector inputs: a string ending in `n` is a bigint, `{ hex }` is raw bytes. */
export function reviveInput(value: unknown): unknown {
  if (typeof value === 'string' && /^\d+n$/.test(value)) return BigInt(value.slice(0, -1));
  if (Array.isArray(value)) return value.map(reviveInput);
  if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    if (Object.keys(obj).length === 1 && typeof obj.hex === 'string') return Buffer.from(obj.hex, 'hex');
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, reviveInput(v)]));
  }
  return value;
}

export function loadVectors(dir: string): Vector[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .flatMap((file) => {
      const doc = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { vectors: Omit<Vector, 'file'>[] };
      return doc.vectors.map((v) => ({ ...v, file, input: reviveInput(v.input) }));
    });
}
