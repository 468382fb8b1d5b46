import type { FactoryProvider } from '@nestjs/common';

/** What the indicator needs of Terminus' `HealthIndicatorService`. */
export interface HealthSessionFactory {
  check(key: string): {
    up(details: Record<string, unknown>): Record<string, unknown>;
    down(details: Record<string, unknown>): Record<string, unknown>;
  };
}

/** Terminus' `HealthIndicatorService`, or `null` when `@nestjs/terminus` (an optional peer) is not installed. */
export const IGGY_HEALTH_INDICATOR_SERVICE = Symbol('IGGY_HEALTH_INDICATOR_SERVICE');

/**
 * Loads `@nestjs/terminus` only when present, so the package works without it (the indicator then
 * builds the same result shape itself).
 */
export const healthIndicatorServiceProvider: FactoryProvider<Promise<HealthSessionFactory | null>> = {
  provide: IGGY_HEALTH_INDICATOR_SERVICE,
  useFactory: async () => {
    try {
      const terminus = await import('@nestjs/terminus');
      return new terminus.HealthIndicatorService() as HealthSessionFactory;
    } catch {
      return null;
    }
  },
};
