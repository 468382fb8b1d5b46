import {
  Inject,
  Injectable,
  Logger,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { defer, lastValueFrom, type Observable } from 'rxjs';
import {
  backoffDelayMs,
  resolveHandlerSettings,
  resolveRetryOptions,
  type HandlerSettings,
} from '../handlers/handler-settings.js';
import { IggyEventContext } from '../handlers/iggy-event.context.js';
import { IGGY_OPTIONS } from '../module/iggy.constants.js';
import type { IggyModuleOptions, RetryOptions } from '../module/interfaces/iggy-module-options.interface.js';
import { DeadLetterWriter } from './dead-letter.writer.js';
import { isNonRetryable } from './non-retryable.error.js';

/**
 * Retries a failing `@IggyEventHandler` call with exponential backoff and jitter (`retry` options of
 * the module, overridden by the handler's), then writes the message to the DLQ topic and lets its
 * offset be committed (the call completes normally; the context records the dead letter's id).
 * A `NonRetryableError` (or any error flagged `nonRetryable`) goes to the DLQ at once.
 *
 * If the dead letter cannot be written the call fails with `DeadLetterWriteError`: the offset is not
 * committed and the consumer retries the message later (its partition waits meanwhile). With
 * `dlq.enabled: false`, and during a replay, the last error is rethrown instead.
 *
 * Applies to Iggy handler calls only (others pass through untouched). Registered globally by the
 * module; applying it again with `@UseInterceptors` is harmless (one instance owns each call).
 */
@Injectable()
export class IggyDlqInterceptor implements NestInterceptor {
  private readonly logger = new Logger('IggyDlq');
  private readonly settings: HandlerSettings;

  constructor(
    @Inject(IGGY_OPTIONS) options: IggyModuleOptions,
    private readonly writer: DeadLetterWriter,
  ) {
    this.settings = resolveHandlerSettings(options);
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'rpc') return next.handle();
    const ctx: unknown = context.switchToRpc().getContext();
    if (!(ctx instanceof IggyEventContext) || !ctx.claimRetries()) return next.handle();
    const retry = resolveRetryOptions(this.settings.retry, ctx.getBinding().retry);
    return defer(() => this.run(ctx, next, retry));
  }

  private async run(ctx: IggyEventContext, next: CallHandler, retry: RetryOptions): Promise<unknown> {
    for (let attempt = 1; ; attempt++) {
      ctx.setAttempt(attempt);
      try {
        return await lastValueFrom(next.handle(), { defaultValue: undefined });
      } catch (error) {
        const nonRetryable = isNonRetryable(error);
        if (attempt < retry.attempts && !nonRetryable) {
          const delay = backoffDelayMs(retry, attempt);
          this.logger.warn(
            `${ctx.getHandlerName()} failed on ${where(ctx)} (attempt ${attempt}/${retry.attempts}, ` +
              `retrying in ${delay} ms): ${text(error)}`,
          );
          await sleep(delay);
          continue;
        }
        if (ctx.isReplay() || !this.settings.dlq.enabled) throw error;
        const id = await this.writer.deadLetter({
          message: ctx.getMessage(),
          event: ctx.getEvent(),
          group: ctx.getGroup(),
          handler: ctx.getHandlerName(),
          error,
          attempts: attempt,
        });
        ctx.markDeadLettered(id);
        this.logger.error(
          `${ctx.getHandlerName()} failed on ${where(ctx)} after ${attempt} attempt(s)` +
            `${nonRetryable ? ' (non-retryable)' : ''}; dead letter ${id}: ${text(error)}`,
        );
        return undefined;
      }
    }
  }
}

function where(ctx: IggyEventContext): string {
  const e = ctx.getEvent();
  return `${e.type} ${e.id} (${ctx.getTopic()} partition ${ctx.getPartition()} offset ${ctx.getOffset()}, group '${ctx.getGroup()}')`;
}

function text(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
