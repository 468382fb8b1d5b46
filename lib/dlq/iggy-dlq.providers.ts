import type { Provider } from '@nestjs/common';
import { IGGY_DEAD_LETTER_SINK } from '../consumer/dead-letter-sink.js';
import { IGGY_HANDLER_RETRY_POLICY } from '../handlers/handler-retry-policy.js';
import { DeadLetterWriter } from './dead-letter.writer.js';
import { IggyDlqInterceptor } from './dlq.interceptor.js';
import { DlqManager } from './dlq.manager.js';

/**
 * The DLQ providers the module registers. The module also registers the interceptor globally:
 * `{ provide: APP_INTERCEPTOR, useExisting: IggyDlqInterceptor }`.
 */
export const IGGY_DLQ_PROVIDERS: Provider[] = [
  DeadLetterWriter,
  { provide: IGGY_DEAD_LETTER_SINK, useExisting: DeadLetterWriter },
  IggyDlqInterceptor,
  { provide: IGGY_HANDLER_RETRY_POLICY, useExisting: IggyDlqInterceptor },
  DlqManager,
];
