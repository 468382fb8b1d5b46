import type { DeadLetter } from './dead-letter.js';

/**
 * `DlqManager.redrive(id)` refused: no dead letter has that id (`reason` 'not-found': a controller's 404),
 * or it was redriven or purged already ('not-pending': a 409, with its `status`).
 */
export class DeadLetterRedriveError extends Error {
  override readonly name = 'DeadLetterRedriveError';

  constructor(
    readonly id: string,
    readonly reason: 'not-found' | 'not-pending',
    readonly status?: DeadLetter['status'],
  ) {
    super(
      reason === 'not-found'
        ? `dead letter ${id} not found in the DLQ topic`
        : `dead letter ${id} is already ${status}`,
    );
  }
}
