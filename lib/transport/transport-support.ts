import type { INestApplicationContext } from '@nestjs/common';
import { runWithProcessingHooks } from './nest-compat.js';

/** Listeners of a transport's `on(event, callback)`; a failing listener is ignored. */
export class TransportListeners<Events extends Record<string, (...args: never[]) => void>> {
  private readonly byEvent = new Map<keyof Events, Set<Events[keyof Events]>>();

  on<K extends keyof Events>(event: K, callback: Events[K]): void {
    let set = this.byEvent.get(event);
    if (!set) this.byEvent.set(event, (set = new Set()));
    set.add(callback);
  }

  emit<K extends keyof Events>(event: K, ...args: Parameters<Events[K]>): void {
    for (const callback of this.byEvent.get(event) ?? []) {
      try {
        (callback as (...a: Parameters<Events[K]>) => void)(...args);
      } catch {
        // a listener's failure is its own business
      }
    }
  }
}

/** `app.get(token)` when the app provides it, else `undefined`. */
export function tryGet<T>(app: INestApplicationContext, token: unknown): T | undefined {
  try {
    return app.get<T>(token as string, { strict: false });
  } catch {
    return undefined;
  }
}

/**
 * Runs `fn` between Nest's processing hooks of `server` (`runWithProcessingHooks` of nest-compat, which
 * covers Nest 11 and 12) and settles when `fn` does.
 */
export function runHooked(
  server: object,
  context: unknown,
  fn: (runEndHook: () => void) => Promise<void>,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const result = runWithProcessingHooks(server, context, async (runEndHook) => {
      try {
        await fn(runEndHook);
        resolve();
      } catch (err) {
        reject(err);
        throw err;
      }
    });
    void Promise.resolve(result).catch(() => undefined);
  });
}
