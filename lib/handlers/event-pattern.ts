import { compilePattern, type PatternMatcher } from '../consumer/pattern-matcher.js';

/** Tests an event type against a handler's pattern. */
export type EventPatternMatcher = PatternMatcher;

/**
 * Compiles an `@IggyEventHandler` pattern, with the transport's rules (`IggyServer` matches the same
 * way): segments are separated by `.`; `order.created` matches itself only, `order.*` one segment after
 * `order.`, `order.#` (or `order.**`) any number of segments after it (`order` included), `#` alone
 * every type. Throws `TypeError` on an empty pattern or an empty segment.
 */
export function compileEventPattern(pattern: string): EventPatternMatcher {
  if (typeof pattern !== 'string' || pattern.length === 0) {
    throw new TypeError('an event pattern must be a non-empty string');
  }
  if (pattern.split('.').some((s) => s.length === 0)) {
    throw new TypeError(`event pattern '${pattern}' has an empty segment`);
  }
  return compilePattern(pattern);
}
