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

/** The option path a problem starts with (`remote.addresses` of `remote.addresses[0] must be ...`). */
export function leadingOptionPath(problem: string): string {
  return /^[\w.]+/.exec(problem)?.[0] ?? '';
}
