import type { MessageHandler } from '@nestjs/microservices';
import { compilePattern, isWildcardPattern, type PatternMatcher } from '../consumer/pattern-matcher.js';

/** A handler and the pattern it was registered under. */
export interface Route {
  pattern: string;
  handler: MessageHandler;
}

/** The handlers one event type reaches. */
export interface Routes {
  /** `@EventPattern` handlers: the exact pattern first, then every matching wildcard pattern. */
  events: Route[];
  /** The `@MessagePattern` handler: the exact pattern, else the first matching wildcard pattern. */
  request: Route | undefined;
}

const MAX_CACHED_TYPES = 10_000;

/**
 * Routes event types to the server's handlers (Nest's `messageHandlers`, keyed by normalized pattern).
 * Lookups are cached per type; the cache is rebuilt when the handlers change.
 */
export class RouteTable {
  private wildcards: { pattern: string; matches: PatternMatcher }[] = [];
  private readonly cache = new Map<string, Routes>();
  private knownSize = -1;

  constructor(private readonly handlers: Map<string, MessageHandler>) {}

  routes(type: string): Routes {
    if (this.knownSize !== this.handlers.size) this.rebuild();
    let routes = this.cache.get(type);
    if (!routes) {
      routes = this.compute(type);
      if (this.cache.size >= MAX_CACHED_TYPES) this.cache.clear();
      this.cache.set(type, routes);
    }
    return routes;
  }

  /** True when nothing at all listens (no pattern registered). */
  get empty(): boolean {
    return this.handlers.size === 0;
  }

  private rebuild(): void {
    this.knownSize = this.handlers.size;
    this.cache.clear();
    this.wildcards = [...this.handlers.keys()]
      .filter(isWildcardPattern)
      .map((pattern) => ({ pattern, matches: compilePattern(pattern) }));
  }

  private compute(type: string): Routes {
    const patterns = [
      ...(this.handlers.has(type) ? [type] : []),
      ...this.wildcards.filter((w) => w.pattern !== type && w.matches(type)).map((w) => w.pattern),
    ];
    const all = patterns.flatMap((pattern) => {
      const handler = this.handlers.get(pattern);
      return handler ? [{ pattern, handler }] : [];
    });
    return {
      events: all.filter((r) => r.handler.isEventHandler),
      request: all.find((r) => !r.handler.isEventHandler),
    };
  }
}
