import {
  EXCEPTION_FILTERS_METADATA,
  GUARDS_METADATA,
  INTERCEPTORS_METADATA,
} from '@nestjs/common/constants.js';
import type { ApplicationConfig } from '@nestjs/core';

const ENHANCER_KEYS = [GUARDS_METADATA, INTERCEPTORS_METADATA, EXCEPTION_FILTERS_METADATA];

/**
 * True when the one guard, interceptor or exception filter Nest would apply to `method` of `instance`
 * is the global `interceptor`: nothing from `@UseGuards`/`@UseInterceptors`/`@UseFilters` on the class
 * or the method, and no other global enhancer (`useGlobal…`, `APP_…` providers, request-scoped too).
 * Nest reads the same lists when it binds a handler, so this holds for the handler's lifetime.
 */
export function onlyGlobalInterceptor(
  config: ApplicationConfig,
  instance: object,
  method: object,
  interceptor: object,
): boolean {
  const globalsBare =
    config.getGlobalInterceptors().every((i) => i === interceptor) &&
    config.getGlobalRequestInterceptors().length === 0 &&
    config.getGlobalGuards().length === 0 &&
    config.getGlobalRequestGuards().length === 0 &&
    config.getGlobalFilters().length === 0 &&
    config.getGlobalRequestFilters().length === 0;
  return (
    globalsBare &&
    ENHANCER_KEYS.every(
      (key) =>
        isEmpty(Reflect.getMetadata(key, instance.constructor)) && isEmpty(Reflect.getMetadata(key, method)),
    )
  );
}

function isEmpty(metadata: unknown): boolean {
  return metadata === undefined || (Array.isArray(metadata) && metadata.length === 0);
}
