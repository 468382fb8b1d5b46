import {
  Inject,
  Injectable,
  Logger,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { defer, lastValueFrom, of, type Observable } from 'rxjs';
import { readEventMeta, type EventMeta } from '../events/envelope-headers.js';
import {
  backoffDelayMs,
  resolveHandlerSettings,
  resolveRetryOptions,
  type HandlerSettings,
  type HandlerSettingsInput,
} from '../handlers/handler-settings.js';
import { IggyEventContext } from '../handlers/iggy-event.context.js';
import { IggyContext } from '../transport/iggy.context.js';
import { IGGY_OPTIONS } from '../consumer/iggy.tokens.js';
import type { RetryOptions } from '../consumer/retry-options.js';
import { DeadLetterWriter } from './dead-letter.writer.js';
import { isNonRetryable } from './non-retryable.error.js';

/** One Iggy handler call the interceptor owns. */
interface OwnedCall {
  ctx: IggyContext;
  group: string;
  /** `Class.method`. */
  handler: string;
  event: EventMeta | undefined;
  retry: RetryOptions;
  /** A replay reports failures; it never dead-letters. */
  replay: boolean;
}

/**
 * Retries a failing Iggy handler call with exponential backoff and jitter (`retry` options of the
 * module, overridden by an `@IggyEventHandler`'s own), then writes the message to the DLQ topic and
 * lets its offset be committed (the call completes normally; the context records the dead letter's
 * id). A `NonRetryableError` (or any error flagged `nonRetryable`) goes to the DLQ at once.
 *
 * Iggy handler calls are `@IggyEventHandler` calls (`IggyEventContext`) and the events `IggyServer`
 * delivers to `@EventPattern` handlers (an `IggyContext` with a delivery). `@MessagePattern` calls pass
 * through untouched: their failure is answered to the caller. This interceptor is the one retry and
 * dead-letter mechanism of both paths, so they write the same dead letters (origin, group, `Class.method`,
 * error, attempts) and `DlqManager` redrives either; the consumers underneath (`GroupConsumer`,
 * `IggyServer`) only refuse to commit a call that still failed and deliver it again later (`PartitionStalls`).
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
export class IggyDlqInterceptor implements NestInterceptor {
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
    const call = this.ownedCall(ctx, context);
    if (!call) return next.handle();
    const only = ctx.getDelivery()?.redriveHandler;
    if (only !== undefined && only !== call.handler && only !== ctx.getPattern()) {
      return of(undefined); // redriven for another handler of this pattern
    }
    if (!ctx.claimRetries(context.getHandler())) return next.handle();
    return defer(() => this.run(call, next));
  }

  /** What the call is, when it is one of ours (else `undefined`: it passes through). */
  private ownedCall(ctx: IggyContext, context: ExecutionContext): OwnedCall | undefined {
    if (ctx instanceof IggyEventContext) {
      return {
        ctx,
        group: ctx.getGroup(),
        handler: ctx.getHandlerName(),
        event: ctx.getEvent(),
        retry: this.retryOf(ctx.getBinding().retry),
        replay: ctx.isReplay(),
      };
    }
    const delivery = ctx.getDelivery();
    if (!delivery) return undefined;
    return {
      ctx,
      group: delivery.group,
      handler: `${context.getClass().name}.${context.getHandler().name}`,
      event: metaOf(ctx),
      retry: this.settings.retry,
      replay: false,
    };
  }

  /** The module's retry options under a handler's own (resolved once per handler). */
  private retryOf(own: Partial<RetryOptions> | undefined): RetryOptions {
    if (own === undefined) return this.settings.retry;
    let resolved = this.resolvedRetry.get(own);
    if (!resolved) this.resolvedRetry.set(own, (resolved = resolveRetryOptions(this.settings.retry, own)));
    return resolved;
  }

  private async run(call: OwnedCall, next: CallHandler): Promise<unknown> {
    const { ctx, retry } = call;
    for (let attempt = 1; ; attempt++) {
      ctx.setAttempt(attempt);
      try {
        return await lastValueFrom(next.handle(), { defaultValue: undefined });
      } catch (error) {
        const nonRetryable = isNonRetryable(error);
        if (attempt < retry.attempts && !nonRetryable) {
          const delay = backoffDelayMs(retry, attempt);
          this.logger.warn(
            `${call.handler} failed on ${where(call)} (attempt ${attempt}/${retry.attempts}, ` +
              `retrying in ${delay} ms): ${text(error)}`,
          );
          await sleep(delay);
          continue;
        }
        if (call.replay || !this.settings.dlq.enabled) throw failed(ctx, error);
        let id: string;
        try {
          id = await this.writer.deadLetter({
            message: ctx.getMessage(),
            event: call.event,
            group: call.group,
            handler: call.handler,
            error,
            attempts: attempt,
          });
        } catch (writeError) {
          throw failed(ctx, writeError);
        }
        ctx.markDeadLettered(id);
        this.logger.error(
          `${call.handler} failed on ${where(call)} after ${attempt} attempt(s)` +
            `${nonRetryable ? ' (non-retryable)' : ''}; dead letter ${id}: ${text(error)}`,
        );
        return undefined;
      }
    }
  }
}

/** Records the call's final error on the context (the consumer reports it, not the filtered RPC error). */
function failed(ctx: IggyContext, error: unknown): unknown {
  ctx.setLastError(error);
  return error;
}

/** The envelope's metadata as its headers tell it (the server read them to route, so they parse). */
function metaOf(ctx: IggyContext): EventMeta | undefined {
  try {
    return readEventMeta(ctx.getMessage());
  } catch {
    return undefined;
  }
}

function where(call: OwnedCall): string {
  const { ctx } = call;
  return (
    `${ctx.getEventType()} ${ctx.getEnvelope().id} (${ctx.getTopic()} partition ${ctx.getPartition()} ` +
    `offset ${ctx.getOffset()}, group '${call.group}')`
  );
}

function text(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
