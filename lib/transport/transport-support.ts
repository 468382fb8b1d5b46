import type { INestApplicationContext } from '@nestjs/common';
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

/** Nest 12's `Server.runWithProcessingHooks` (protected, absent from Nest 11). */
type ProcessingHooks = (context: unknown, fn: (runEndHook: () => void) => Promise<void>) => unknown;

/**
 * Runs `fn` between the processing hooks of `server` (`Server.runWithProcessingHooks`, Nest 12) and
 * settles when `fn` does. Nest 11 has no such hooks: `fn` then runs plainly. The one place that reaches
 * into that Nest internal, so a change of it is handled here.
 */
export function runHooked(
  server: object,
  context: unknown,
  fn: (runEndHook: () => void) => Promise<void>,
): Promise<void> {
  const run = (server as { runWithProcessingHooks?: ProcessingHooks }).runWithProcessingHooks;
  if (typeof run !== 'function') return fn(noop);
  return new Promise<void>((resolve, reject) => {
    const result = run.call(server, context, async (runEndHook) => {
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

function noop(): void {}
