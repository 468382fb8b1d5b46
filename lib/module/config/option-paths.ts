/** Dotted option paths (`remote.addresses`), as config problems start with them. */

/** Sets `a.b.c` in a nested object, creating (or replacing non-object) parents. */
export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1] as string] = value;
}

/** Removes `a.b.c` from a nested object; `found` false (and nothing changed) when it is not there. */
export function takePath(target: Record<string, unknown>, path: string): { found: boolean; value?: unknown } {
  const keys = path.split('.');
  let node: unknown = target;
  for (const key of keys.slice(0, -1)) node = isRecord(node) ? node[key] : undefined;
  const last = keys[keys.length - 1] as string;
  if (!isRecord(node) || !(last in node)) return { found: false };
  const value = node[last];
  delete node[last];
  return { found: true, value };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The option path a problem starts with (`remote.addresses` of `remote.addresses[0] must be ...`). */
export function leadingOptionPath(problem: string): string {
  return /^[\w.]+/.exec(problem)?.[0] ?? '';
}
