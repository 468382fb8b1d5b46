/**
 * `value` as plain JSON data: bigints as decimal strings, bytes (`Buffer`, `Uint8Array`) as base64, a
 * `Map` as an object, an `Error` as `{ name, message }`; `Date`s and everything else as `JSON.stringify`
 * has them. What the public API returns holds bigints (offsets, lags) and bytes, which `JSON.stringify`
 * (a Nest controller returning it) refuses or renders as byte arrays.
 */
export function toJsonValue(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Uint8Array)
    return Buffer.from(value.buffer, value.byteOffset, value.length).toString('base64');
  if (value instanceof Date) return value;
  if (value instanceof Error) return { name: value.name, message: value.message };
  if (value instanceof Map) return toJsonValue(Object.fromEntries(value));
  if (Array.isArray(value)) return value.map(toJsonValue);
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) out[key] = toJsonValue(field);
  return out;
}

/** `value` with a `toJSON` (not enumerable: `toEqual` and spreads do not see it) that gives `toJsonValue`. */
export function withJsonView<T extends object>(value: T): T {
  Object.defineProperty(value, 'toJSON', {
    value: () => toJsonValue(value),
    enumerable: false,
    configurable: true,
  });
  return value;
}
