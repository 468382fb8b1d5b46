import { setImmediate as nextTurn } from 'node:timers/promises';

/** How long work that never waits on I/O may keep the event loop before it lets other work run. */
const TURN_EVERY_MS = 10;

/**
 * Gives the event loop a turn now and then to work that would otherwise never wait: handlers that
 * finish at once over a backlog read from memory run in one chain of microtasks, and the app's timers
 * and sockets (its HTTP server) would wait for the whole backlog. Shared by whatever runs that work
 * together (the consumer's poll loop and its lanes), so their time counts as one.
 */
export class EventLoopTurns {
  private since = performance.now();

  /** Whether the event loop should have a turn before more work. */
  get due(): boolean {
    return performance.now() - this.since >= TURN_EVERY_MS;
  }

  /** Resolves on the event loop's next turn (after its timers and I/O). */
  async take(): Promise<void> {
    await nextTurn();
    this.since = performance.now();
  }
}
