import type { IdempotencyStore } from './idempotency-store.js';
import { MemoryIdempotencyStore } from './memory-idempotency-store.js';
import { namedError } from '../../common/error-text.js';

/**
 * One group's idempotency guard over its store. It never lets a store failure lose a message:
 *
 * - A failed lookup answers "not handled": the message is handled (again, maybe). Skipping it on a
 *   guess could drop an event that was never handled; handling it twice is within at-least-once.
 * - A failed record is logged, and the message is committed all the same (its handlers succeeded).
 *   The record only serves to drop a later copy of this id; committing is what keeps Iggy from
 *   delivering this copy again. Withholding the commit would not make the record happen: it would
 *   force exactly the duplicate the guard exists to avoid (the message redelivered after the next
 *   commit failure, stop or crash), and a store that stays down would stall the partition behind a
 *   message already handled. So a failed record costs, at worst, one duplicate later (a relay's
 *   re-publish of the same id, or a redelivery after a crash before the commit): at-least-once still.
 *
 * The record is made before the offset is committed (the dispatcher awaits it before returning to the
 * lanes that commit): a crash between the two leaves an uncommitted message whose id is recorded, and
 * the next owner of the partition skips it. The window left open is the other side: a crash after the
 * handlers finished and before the record is written; that message is handled again on restart.
 */
export class IdempotencyGuard {
  /** The default store, asked synchronously. */
  private readonly memory: MemoryIdempotencyStore | undefined;

  constructor(
    private readonly store: IdempotencyStore,
    readonly group: string,
    private readonly warn: (text: string) => void,
  ) {
    this.memory = store instanceof MemoryIdempotencyStore ? store : undefined;
  }

  /** Whether the group handled `id` already; `false` when the store cannot tell. */
  seen(id: string): boolean | Promise<boolean> {
    return this.memory ? this.memory.has(this.group, id) : this.ask(id);
  }

  /** Records `id` as handled by the group; a failure is logged, never thrown (see above). */
  record(id: string): void | Promise<void> {
    if (this.memory) this.memory.add(this.group, id);
    else return this.tell(id);
  }

  private async ask(id: string): Promise<boolean> {
    try {
      return (await this.store.handled(this.group, [id])).has(id);
    } catch (error) {
      this.warn(
        `group '${this.group}': idempotency lookup of event ${id} failed; handling it anyway ` +
          `(it may be a duplicate): ${namedError(error)}`,
      );
      return false;
    }
  }

  private async tell(id: string): Promise<void> {
    try {
      await this.store.record(this.group, [id]);
    } catch (error) {
      this.warn(
        `group '${this.group}': recording event ${id} as handled failed; committing it anyway ` +
          `(a later copy of it would be handled again): ${namedError(error)}`,
      );
    }
  }
}
