export { NonRetryableError, isNonRetryable } from './non-retryable.error.js';
export {
  DEAD_LETTER_RESOLVED_TYPE,
  DEAD_LETTER_TYPE,
  DlqHeader,
  UNKNOWN_TENANT,
  deadLetterEnvelope,
  parseDeadLetter,
  type DeadLetter,
  type DeadLetterPayload,
  type DeadLetterResolution,
} from './dead-letter.js';
export { compileDeadLetterFilter, type DeadLetterFilter } from './dead-letter-filter.js';
export { headersFromJson, headersToJson, type JsonHeader, type JsonHeaderField } from './header-json.js';
export { DeadLetterRedriveError } from './dead-letter-redrive.error.js';
export { DeadLetterWriteError, DeadLetterWriter } from './dead-letter.writer.js';
export { IggyDlqInterceptor } from './dlq.interceptor.js';
export { DlqManager, type DeadLetterQuery, type RedriveResult } from './dlq.manager.js';
export { IGGY_DLQ_PROVIDERS } from './iggy-dlq.providers.js';
