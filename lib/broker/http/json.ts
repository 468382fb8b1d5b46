/**
 * JSON for the HTTP API, in the real server's style: snake_case keys, and u64 values (bigints) written
 * as exact JSON numbers (all their digits; a JavaScript reader past 2^53 needs a bigint-aware parser).
 * Buffers are written as base64 strings; undefined fields are left out.
 */
export function toJson(value: unknown): string {
  const out: string[] = [];
  write(value, out);
  return out.join('');
}

/** `messagesCount` → `messages_count`. */
export function snakeCase(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function write(value: unknown, out: string[]): void {
  switch (typeof value) {
    case 'bigint':
      out.push(value.toString());
      return;
    case 'number':
      out.push(Number.isFinite(value) ? String(value) : 'null');
      return;
    case 'string':
      out.push(JSON.stringify(value));
      return;
    case 'boolean':
      out.push(value ? 'true' : 'false');
      return;
    case 'object':
      break;
    default:
      out.push('null');
      return;
  }
  if (value === null) {
    out.push('null');
  } else if (Buffer.isBuffer(value)) {
    out.push(JSON.stringify(value.toString('base64')));
  } else if (Array.isArray(value)) {
    out.push('[');
    value.forEach((item, i) => {
      if (i > 0) out.push(',');
      write(item, out);
    });
    out.push(']');
  } else {
    out.push('{');
    let first = true;
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined || typeof item === 'function') continue;
      if (!first) out.push(',');
      first = false;
      out.push(JSON.stringify(snakeCase(key)), ':');
      write(item, out);
    }
    out.push('}');
  }
}
