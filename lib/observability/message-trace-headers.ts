import type { TextMapGetter } from '@opentelemetry/api';
import { ENVELOPE_HEADER_PREFIX } from '../events/envelope-validation.js';
import { HeaderKind, type UserHeaders } from '../protocol/primitives/user-headers.js';

/**
 * Reads trace context (`traceparent`, `tracestate`, ...) from a received message: the envelope's own
 * headers travel as the string headers `h.<name>`.
 */
export const messageHeaderGetter: TextMapGetter<UserHeaders> = {
  keys(headers) {
    const keys: string[] = [];
    for (const { key } of headers) {
      if (key.kind === HeaderKind.String && key.value.startsWith(ENVELOPE_HEADER_PREFIX)) {
        keys.push(key.value.slice(ENVELOPE_HEADER_PREFIX.length));
      }
    }
    return keys;
  },
  get(headers, name) {
    const wanted = ENVELOPE_HEADER_PREFIX + name;
    for (const { key, value } of headers) {
      if (key.kind === HeaderKind.String && key.value === wanted && value.kind === HeaderKind.String) {
        return value.value;
      }
    }
    return undefined;
  },
};
