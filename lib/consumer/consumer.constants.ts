/**
 * Message headers of request/response, beside the envelope's own (`event_type`, `tenant_id`...). A request
 * carries `reply_to` (the reply topic), `reply_key` (the requester's instance id: the partition key of
 * its replies), `request_id` and `reply_deadline` (ms since the epoch: past it, no one waits for the answer, so a
 * server skips the request); a reply carries `request_id`, `content_type` and, on the last reply of a
 * request, `reply_end`. The envelope's `correlation_id` is left to the business flow.
 */
export const IggyReplyHeader = {
  replyTo: 'reply_to',
  replyKey: 'reply_key',
  requestId: 'request_id',
  deadline: 'reply_deadline',
  contentType: 'content_type',
  end: 'reply_end',
} as const;

/** Envelope header (`envelope.headers`) a DLQ redrive adds to the re-published event: the redrive count. */
export const REDRIVEN_HEADER = 'iggy.redriven';
/** Only this group handles a redriven event (other groups skip it: they had handled it). */
export const REDRIVE_GROUP_HEADER = 'iggy.redrive_group';
/** Only this handler (`Class.method`, or an `IggyServer` pattern) of the group is called for a redriven event. */
export const REDRIVE_HANDLER_HEADER = 'iggy.redrive_handler';
