import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import {
  ApplicationConfig,
  DiscoveryService,
  ExternalContextCreator,
  MetadataScanner,
  type ParamsFactory,
} from '@nestjs/core';
import { ExternalExceptionFilter } from '@nestjs/core/exceptions/external-exception-filter.js';
import { PARAM_ARGS_METADATA } from '@nestjs/microservices/constants.js';
import { RpcParamsFactory } from '@nestjs/microservices/factories/rpc-params-factory.js';
import { isObservable, lastValueFrom } from 'rxjs';
import { isPending, type MaybePromise } from '../common/maybe-promise.js';
import type { IggyContext } from '../consumer/iggy.context.js';
import type { EventEnvelope } from '../events/event-envelope.js';
import type { BoundHandler } from './bound-handler.js';
import { compileEventPattern } from './event-pattern.js';
import { onlyGlobalInterceptor } from './handler-enhancers.js';
import { IGGY_HANDLER_RETRY_POLICY, type HandlerRetryPolicy } from './handler-retry-policy.js';
import { eventHandlerMetadataOf } from './iggy-event-handler.decorator.js';

/**
 * Whether any parameter of the method has a decorator (`@Payload()`, `@Ctx()`, a custom one): only then
 * does Nest map arguments and run pipes; without, it calls the method with the arguments as given.
 */
function hasParamDecorators(instance: object, methodName: string): boolean {
  const params: unknown = Reflect.getMetadata(PARAM_ARGS_METADATA, instance.constructor, methodName);
  return params !== undefined && Object.keys(params as object).length > 0;
}

/** A method's result as Nest's pipeline gives it: an Observable's last value (it must emit one). */
function resultOf(result: unknown): unknown {
  return isObservable(result) ? lastValueFrom(result) : result;
}

/**
 * Finds every `@IggyEventHandler` method of the application's providers and controllers, and binds it
 * to Nest's pipeline (context type `rpc`, arguments `(envelope, IggyEventContext)`, so `@Payload()`,
 * `@Ctx()`, guards, interceptors, pipes and exception filters apply as they do for `@EventPattern`).
 */
@Injectable()
export class HandlerExplorer {
  private readonly logger = new Logger('IggyHandlers');
  /** `@Payload()` = the envelope (or one of its fields), `@Ctx()` = the `IggyEventContext`. */
  private readonly paramsFactory = new RpcParamsFactory() as ParamsFactory;

  private readonly unfiltered = new ExternalExceptionFilter();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly contextCreator: ExternalContextCreator,
    private readonly appConfig: ApplicationConfig,
    @Optional() @Inject(IGGY_HANDLER_RETRY_POLICY) private readonly retryPolicy?: HandlerRetryPolicy,
  ) {}

  explore(): BoundHandler[] {
    const found: BoundHandler[] = [];
    const seen = new Set<object>();
    for (const wrapper of [...this.discovery.getProviders(), ...this.discovery.getControllers()]) {
      const instance: unknown = wrapper.instance;
      if (wrapper.isAlias || !instance || typeof instance !== 'object' || seen.has(instance)) continue;
      seen.add(instance);
      const prototype = Object.getPrototypeOf(instance) as Record<string, unknown> | null;
      for (const methodName of this.scanner.getAllMethodNames(prototype)) {
        const entries = eventHandlerMetadataOf(prototype?.[methodName]);
        if (entries.length === 0) continue;
        const name = `${instance.constructor.name}.${methodName}`;
        if (!wrapper.isDependencyTreeStatic()) {
          this.logger.warn(`${name}: request-scoped providers cannot handle Iggy events; skipped`);
          continue;
        }
        const invoke = this.bind(instance as Record<string, unknown>, methodName);
        for (const options of entries) {
          found.push({
            name,
            pattern: options.pattern,
            matches: compileEventPattern(options.pattern),
            options,
            invoke,
          });
        }
      }
    }
    return found;
  }

  private bind(instance: Record<string, unknown>, methodName: string): BoundHandler['invoke'] {
    const method = instance[methodName] as (...args: unknown[]) => unknown;
    const policy = this.retryPolicy;
    if (policy && onlyGlobalInterceptor(this.appConfig, instance, method, policy)) {
      return this.bindDirect(instance, methodName, policy);
    }
    const callback = this.pipeline(instance, methodName);
    return async (envelope, context) => {
      const result: unknown = await callback(envelope, context);
      // An exception filter may answer with an Observable (e.g. `throwError`): surface its error.
      if (isObservable(result)) return lastValueFrom(result, { defaultValue: undefined });
      return result;
    };
  }

  /**
   * The handler with the retry policy around its pipes and method, without Nest's interceptor pipeline:
   * the same calls, retries, dead letters and final error (logged as Nest's default exception filter
   * does) as through it, when nothing else would intercept, guard or filter the handler.
   */
  private bindDirect(
    instance: Record<string, unknown>,
    methodName: string,
    policy: HandlerRetryPolicy,
  ): BoundHandler['invoke'] {
    const method = instance[methodName] as (...args: unknown[]) => unknown;
    const attemptOf = hasParamDecorators(instance, methodName)
      ? this.pipeline(instance, methodName, { interceptors: false, guards: false, filters: false })
      : (envelope: EventEnvelope, context: IggyContext) => resultOf(method.call(instance, envelope, context));
    const handler = { name: `${instance.constructor.name}.${methodName}`, method };
    // Logs the error as Nest's default exception filter does, and throws it on.
    const rethrow = (err: unknown): unknown => this.unfiltered.catch(err, undefined as never);
    return (envelope, context) => {
      let result: MaybePromise<unknown>;
      try {
        result = policy.run(context, handler, () => attemptOf(envelope, context));
      } catch (err) {
        return rethrow(err);
      }
      return isPending(result) ? result.then(undefined, rethrow) : result;
    };
  }

  /** The method bound to Nest's pipeline (context type `rpc`), with the enhancers `enhancers` keeps. */
  private pipeline(
    instance: Record<string, unknown>,
    methodName: string,
    enhancers?: { interceptors: boolean; guards: boolean; filters: boolean },
  ): (...args: unknown[]) => Promise<unknown> {
    return this.contextCreator.create(
      instance,
      instance[methodName] as (...args: unknown[]) => unknown,
      methodName,
      PARAM_ARGS_METADATA,
      this.paramsFactory,
      undefined,
      undefined,
      enhancers,
      'rpc',
    );
  }
}
