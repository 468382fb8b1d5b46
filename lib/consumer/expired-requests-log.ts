import { ThrottledLog } from '../common/throttled-log.js';
import type { ConsumerLogger } from './consumer-logger.js';

/** A request skipped because its requester's deadline had passed. */
export interface ExpiredRequest {
  requestId: string;
  type: string;
  lateMs: number;
}

/**
 * Warns of requests skipped past their requester's deadline, at most one line per 10 s (a backlog after
 * downtime comes in bursts). When they are fresh, the requester's clock is behind this machine's by more
 * than its timeout: the deadline is the requester's clock, so the warning says so.
 */
export function expiredRequestsLog(logger: ConsumerLogger): ThrottledLog<ExpiredRequest> {
  return new ThrottledLog<ExpiredRequest>(
    10_000,
    ({ requestId, type, lateMs }) =>
      logger.warn(
        `skipped request ${requestId} ('${type}'): its requester's deadline passed ${lateMs} ms ago by this ` +
          `machine's clock (a backlog from before this server ran, or, for requests just sent, a requester ` +
          `whose clock is behind this machine's)`,
      ),
    (count, last) =>
      logger.warn(
        `skipped ${count} more request(s) past their requester's deadline; the last: ${last.requestId} ` +
          `('${last.type}', ${last.lateMs} ms late)`,
      ),
  );
}
