/**
 * A result now, or a promise of it. The consumer's hot path returns values synchronously when nothing on
 * the way is pending, and awaits only what is: an `async` function per step costs a promise and a
 * microtask per message even when every step finished at once.
 */
export type MaybePromise<T> = T | Promise<T>;

/** Whether `value` is a thenable (a native promise, or another library's) to wait for. */
export function isPending<T>(value: MaybePromise<T>): value is Promise<T> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
