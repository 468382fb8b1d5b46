import { HeaderKind, type HeaderField, type UserHeaders } from '../protocol/primitives/user-headers.js';

/** A header field as JSON: raw bytes in base64, 64/128-bit integers as decimal strings. */
export interface JsonHeaderField {
  kind: number;
  value: string | number | boolean;
}

export interface JsonHeader {
  key: JsonHeaderField;
  value: JsonHeaderField;
}

const BIG_KINDS: readonly number[] = [
  HeaderKind.Int64,
  HeaderKind.Int128,
  HeaderKind.Uint64,
  HeaderKind.Uint128,
];

export function headersToJson(headers: UserHeaders): JsonHeader[] {
  return headers.map((h) => ({ key: fieldToJson(h.key), value: fieldToJson(h.value) }));
}

/** The inverse of `headersToJson`; throws `TypeError` on a malformed entry. */
export function headersFromJson(json: unknown): UserHeaders {
  if (!Array.isArray(json)) throw new TypeError('dead letter headers must be an array');
  return json.map((entry: unknown) => {
    const e = entry as Partial<JsonHeader> | null;
    if (!e || typeof e !== 'object' || !e.key || !e.value)
      throw new TypeError('malformed dead letter header');
    return { key: fieldFromJson(e.key), value: fieldFromJson(e.value) };
  });
}

function fieldToJson(field: HeaderField): JsonHeaderField {
  if (field.kind === HeaderKind.Raw) return { kind: field.kind, value: field.value.toString('base64') };
  if (typeof field.value === 'bigint') return { kind: field.kind, value: field.value.toString() };
  return { kind: field.kind, value: field.value };
}

function fieldFromJson(json: JsonHeaderField): HeaderField {
  const { kind, value } = json;
  if (kind === HeaderKind.Raw) return { kind, value: Buffer.from(String(value), 'base64') };
  if (kind === HeaderKind.String) return { kind, value: String(value) };
  if (kind === HeaderKind.Bool) return { kind, value: value === true };
  if (BIG_KINDS.includes(kind)) return { kind, value: BigInt(String(value)) } as HeaderField;
  if (typeof value !== 'number')
    throw new TypeError(`header kind ${kind} needs a number, got ${typeof value}`);
  return { kind, value } as HeaderField;
}
