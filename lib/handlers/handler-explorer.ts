import { Injectable, Logger } from '@nestjs/common';
import { DiscoveryService, ExternalContextCreator, MetadataScanner, type ParamsFactory } from '@nestjs/core';
import { PARAM_ARGS_METADATA } from '@nestjs/microservices/constants.js';
import { RpcParamsFactory } from '@nestjs/microservices/factories/rpc-params-factory.js';
import { isObservable, lastValueFrom } from 'rxjs';
import type { BoundHandler } from './bound-handler.js';
import { compileEventPattern } from './event-pattern.js';
import { eventHandlerMetadataOf } from './iggy-event-handler.decorator.js';

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

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly contextCreator: ExternalContextCreator,
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
    const callback = this.contextCreator.create(
      instance,
      instance[methodName] as (...args: unknown[]) => unknown,
      methodName,
      PARAM_ARGS_METADATA,
      this.paramsFactory,
      undefined,
      undefined,
      undefined,
      'rpc',
    );
    return async (envelope, context) => {
      const result: unknown = await callback(envelope, context);
      // An exception filter may answer with an Observable (e.g. `throwError`): surface its error.
      if (isObservable(result)) return lastValueFrom(result, { defaultValue: undefined });
      return result;
    };
  }
}
