import {
  Inject,
  Injectable,
  Logger,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { catchError, from, lastValueFrom, of, type Observable } from 'rxjs';
import { isPending, type MaybePromise } from '../common/maybe-promise.js';
import { IggyContext } from '../consumer/iggy.context.js';
import { IGGY_OPTIONS } from '../consumer/iggy.tokens.js';
import { backoffDelayMs, type RetryOptions } from '../consumer/retry-options.js';
import type { HandlerIdentity, HandlerRetryPolicy } from '../handlers/handler-retry-policy.js';
import {
  resolveHandlerSettings,
  resolveRetryOptions,
  type HandlerSettings,
  type HandlerSettingsInput,
} from '../handlers/handler-settings.js';
import { DeadLetterWriter } from './dead-letter.writer.js';
import { isNonRetryable } from './non-retryable.error.js';

/** One Iggy handler call the interceptor owns. */
interface OwnedCall {
  ctx: IggyContext;
  /** `Class.method`. */
  handler: string;
  retry: RetryOptions;
}

/**
 * Retries a failing Iggy handler call with exponential backoff and jitter (`retry` options of the
 * module, overridden by an `@IggyEventHandler`'s own), then writes the message to the DLQ topic and
 * lets its offset be committed (the call completes normally; the context records the dead letter's
 * id). A `NonRetryableError` (or any error flagged `nonRetryable`) goes to the DLQ at once.
 *
 * Iggy handler calls are the events the consumer runtime delivers, to `@IggyEventHandler` methods and to
 * `IggyServer` `@EventPattern` handlers alike (an `IggyContext` whose binding is not `answer`).
 * `@MessagePattern` calls pass through untouched: their failure is answered to the caller. This
 * interceptor is the one retry and dead-letter mechanism of both faces, so they write the same dead
 * letters (origin, group, `Class.method`, error, attempts) and `DlqManager` redrives either; the runtime
 * underneath only refuses to commit a call that still failed, and tries it again later (its partition
 * stalls meanwhile).
 *
 * If the dead letter cannot be written the call fails with `DeadLetterWriteError`: the offset is not
 * committed and the consumer retries the message later (its partition waits meanwhile). With
 * `dlq.enabled: false`, and during a replay, the last error is rethrown instead.
 *
 * Registered globally by the module (`APP_INTERCEPTOR`). In a hybrid app, global interceptors reach a
 * connected microservice only with `app.connectMicroservice({ strategy }, { inheritAppConfig: true })`;
 * without it `IggyServer` dead-letters a failed event at once (no retries). Applying it again with
 * `@UseInterceptors` is harmless (one instance owns each call).
 */
@Injectable()
export class IggyDlqInterceptor implements NestInterceptor, HandlerRetryPolicy {
  private readonly logger = new Logger('IggyDlq');
  private readonly settings: HandlerSettings;
  private readonly resolvedRetry = new WeakMap<Partial<RetryOptions>, RetryOptions>();

  constructor(
    @Inject(IGGY_OPTIONS) options: HandlerSettingsInput,
    private readonly writer: DeadLetterWriter,
  ) {
    this.settings = resolveHandlerSettings(options);
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'rpc') return next.handle();
    const ctx: unknown = context.switchToRpc().getContext();
    if (!(ctx instanceof IggyContext)) return next.handle();
    const handler = { name: handlerName(context), method: context.getHandler() };
    const claim = this.claim(ctx, handler);
    if (claim === 'skip') return of(undefined);
    if (claim === 'pass') return next.handle();
    // The first attempt as it is (nothing more on the way of a call that succeeds); a failure recovers.
    const again = () => lastValueFrom(next.handle(), { defaultValue: undefined });
    return next
      .handle()
      .pipe(catchError((error: unknown) => from(this.recover(this.owned(ctx, handler), again, error))));
  }

  /**
   * The same policy as a promise, for a handler that has no other enhancer (`HandlerExplorer` calls it
   * without Nest's pipeline then): `attempt` runs the pipes and the method once.
   */
  run(
    context: IggyContext,
    handler: HandlerIdentity,
    attempt: () => MaybePromise<unknown>,
  ): MaybePromise<unknown> {
    const claim = this.claim(context, handler);
    if (claim === 'skip') return undefined;
    if (claim === 'pass') return attempt();
    let result: MaybePromise<unknown>;
    try {
      result = attempt();
    } catch (error) {
      return this.recover(this.owned(context, handler), attempt, error);
    }
    if (!isPending(result)) return result;
    return result.then(undefined, (error: unknown) =>
      this.recover(this.owned(context, handler), attempt, error),
    );
  }

  /**
   * Whether this call is `owned`: ours to retry and dead-letter (then at attempt 1); to `pass` through (a request,
   * whose failure is the reply, or a call another DLQ interceptor owns), or to `skip` (redriven for
   * another handler of this pattern).
   */
  private claim(ctx: IggyContext, handler: HandlerIdentity): 'owned' | 'pass' | 'skip' {
    const binding = ctx.getBinding();
    if (binding.mode === 'answer') return 'pass';
    const only = binding.redriveHandler;
    if (only !== undefined && only !== handler.name && only !== ctx.getPattern()) return 'skip';
    if (!ctx.claimRetries(handler.method)) return 'pass';
    ctx.setAttempt(1);
    return 'owned';
  }

  /** An owned call that failed once, with its retry options (made only then: a success needs none). */
  private owned(ctx: IggyContext, handler: HandlerIdentity): OwnedCall {
    return { ctx, handler: handler.name, retry: this.retryOf(ctx.getBinding().retry) };
  }

  /** The module's retry options under a handler's own (resolved once per handler). */
  private retryOf(own: Partial<RetryOptions> | undefined): RetryOptions {
    if (own === undefined) return this.settings.retry;
    let resolved = this.resolvedRetry.get(own);
    if (!resolved) this.resolvedRetry.set(own, (resolved = resolveRetryOptions(this.settings.retry, own)));
    return resolved;
  }

  /** After attempt 1 failed with `error`: the further attempts with backoff, then the dead letter. */
  private async recover(
    call: OwnedCall,
    again: () => MaybePromise<unknown>,
    error: unknown,
  ): Promise<unknown> {
    const { ctx, retry } = call;
    for (let attempt = 1; ; attempt++) {
      const nonRetryable = isNonRetryable(error);
      if (attempt < retry.attempts && !nonRetryable) {
        const delay = backoffDelayMs(retry, attempt);
        this.logger.warn(
          `${call.handler} failed on ${where(call)} (attempt ${attempt}/${retry.attempts}, ` +
            `retrying in ${delay} ms): ${text(error)}`,
        );
        await sleep(delay);
        ctx.setAttempt(attempt + 1);
        try {
          return await again();
        } catch (again) {
          error = again;
          continue;
        }
      }
      if (ctx.isReplay() || !this.settings.dlq.enabled) throw failed(ctx, error);
      let id: string;
      try {
        id = await this.writer.deadLetter({
          message: ctx.getMessage(),
          event: ctx.getEvent(),
          group: ctx.getGroup(),
          handler: call.handler,
          error,
          attempts: attempt,
        });
      } catch (writeError) {
        throw failed(ctx, writeError);
      }
      failed(ctx, error);
      ctx.markDeadLettered(id);
      this.logger.error(
        `${call.handler} failed on ${where(call)} after ${attempt} attempt(s)` +
          `${nonRetryable ? ' (non-retryable)' : ''}; dead letter ${id}: ${text(error)}`,
      );
      return undefined;
    }
  }
}

/** `Class.method` of the handler called (the dead letter's `handler`). */
function handlerName(context: ExecutionContext): string {
  return `${context.getClass().name}.${context.getHandler().name}`;
}

/**
 * Records the call's final error on the context (the consumer reports it, not the filtered RPC error; a
 * dead-lettered call's too, for its trace).
 */
function failed(ctx: IggyContext, error: unknown): unknown {
  ctx.setLastError(error);
  return error;
}

function where(call: OwnedCall): string {
  const { ctx } = call;
  return (
    `${ctx.getEventType()} ${ctx.getEnvelope().id} (${ctx.getTopic()} partition ${ctx.getPartition()} ` +
    `offset ${ctx.getOffset()}, group '${ctx.getGroup()}')`
  );
}

function text(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
