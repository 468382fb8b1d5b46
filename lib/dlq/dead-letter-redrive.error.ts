import type { DeadLetter } from './dead-letter.js';

/**
 * `DlqManager.redrive(id)` refused: no dead letter has that id (`reason` 'not-found': a controller's 404),
 * it was redriven or purged already ('not-pending': a 409, with its `status`), or another call of this
 * process is redriving it now ('in-progress': a 409 too).
 */
export class DeadLetterRedriveError extends Error {
  override readonly name = 'DeadLetterRedriveError';

  constructor(
    readonly id: string,
    readonly reason: 'not-found' | 'not-pending' | 'in-progress',
    readonly status?: DeadLetter['status'],
  ) {
    super(
      reason === 'not-found'
        ? `dead letter ${id} not found in the DLQ topic`
        : reason === 'in-progress'
          ? `dead letter ${id} is being redriven by another call`
          : `dead letter ${id} is already ${status}`,
    );
  }
}
