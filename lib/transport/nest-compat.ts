import type { ReadPacket } from '@nestjs/microservices';

/*
 * Members of `@nestjs/microservices` 12 that version 11 lacks, and what to do instead there. Every call
 * into a Nest-12-only member goes through here, so supporting Nest 11 and 12 stays in one place.
 *
 * | 12 only                                    | on 11                                                      |
 * | ------------------------------------------ | ---------------------------------------------------------- |
 * | `ClientProxy#createPacket` (+ dispatch hook)| `{ pattern, data }` (11 has no `setOnDispatchHook`)        |
 * | `Server#runWithProcessingHooks`            | the same, over `onProcessingStartHook`/`onProcessingEndHook` |
 */

/** The part of a `ClientProxy` `packetOf` reads (`createPacket` is protected: reached by name). */
interface PacketFactory {
  createPacket?: (pattern: unknown, data: unknown) => ReadPacket;
}

/** The packet Nest would build for `pattern` and `data`: 12 runs the `setOnDispatchHook` hook on it. */
export function packetOf(client: object, pattern: unknown, data: unknown): ReadPacket {
  const factory = client as PacketFactory;
  return typeof factory.createPacket === 'function' ? factory.createPacket(pattern, data) : { pattern, data };
}

/** The protected members of a Nest `Server` the processing hooks live in (both 11 and 12 have these). */
interface ProcessingHooksHost<C> {
  transportId?: unknown;
  onProcessingStartHook: (transportId: unknown, context: C, done: () => Promise<unknown>) => unknown;
  onProcessingEndHook?: (transportId: unknown, context: C) => void;
  runWithProcessingHooks?: (context: C, fn: (runEndHook: () => void) => Promise<void>) => unknown;
}

/**
 * `server.runWithProcessingHooks(context, fn)` (12), or the same on 11: `fn` runs inside the start hook
 * and gets a runner that calls the end hook once (also when `fn` rejects).
 */
export function runWithProcessingHooks<C>(
  server: object,
  context: C,
  fn: (runEndHook: () => void) => Promise<void>,
): unknown {
  const host = server as ProcessingHooksHost<C>;
  if (typeof host.runWithProcessingHooks === 'function') return host.runWithProcessingHooks(context, fn);
  return host.onProcessingStartHook(host.transportId, context, async () => {
    let ended = false;
    const runEndHook = (): void => {
      if (ended) return;
      ended = true;
      host.onProcessingEndHook?.(host.transportId, context);
    };
    try {
      await fn(runEndHook);
    } catch (err) {
      runEndHook();
      throw err;
    }
  });
}
