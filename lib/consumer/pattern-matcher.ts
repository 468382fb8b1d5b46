/** Tests an event type against a compiled pattern. */
export type PatternMatcher = (eventType: string) => boolean;

/** True when a pattern has a wildcard segment (`*`, `#` or `**`). */
export function isWildcardPattern(pattern: string): boolean {
  return pattern.split('.').some((s) => s === '*' || s === '#' || s === '**');
}

/**
 * Compiles a handler pattern over `.`-separated event types, as `@IggyEventHandler` does: `order.created`
 * matches itself, `order.*` exactly one segment after `order.`, `order.#` (or `order.**`) any number of
 * segments after it, `order` included; `#` alone matches every type.
 */
export function compilePattern(pattern: string): PatternMatcher {
  const segments = pattern.split('.').map((s) => (s === '**' ? '#' : s));
  if (!segments.includes('*') && !segments.includes('#')) return (type) => type === pattern;
  return (type) => matchFrom(segments, 0, type.split('.'), 0);
}

function matchFrom(pattern: string[], p: number, type: string[], t: number): boolean {
  if (p === pattern.length) return t === type.length;
  const segment = pattern[p];
  if (segment === '#') {
    for (let next = t; next <= type.length; next++) {
      if (matchFrom(pattern, p + 1, type, next)) return true;
    }
    return false;
  }
  if (t === type.length) return false;
  if (segment !== '*' && segment !== type[t]) return false;
  return matchFrom(pattern, p + 1, type, t + 1);
}
