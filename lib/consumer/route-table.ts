import type { MaybePromise } from '../common/maybe-promise.js';
import type { EventEnvelope } from '../events/event-envelope.js';
import type { IggyContext } from './iggy.context.js';
import { isWildcardPattern, type PatternMatcher } from './pattern-matcher.js';
import type { RetryOptions } from './retry-options.js';

/** One handler of a group, as the dispatcher calls it. */
export interface Route {
  /** `Class.method` of an `@IggyEventHandler`; the pattern of an `IggyServer` handler. */
  name: string;
  pattern: string;
  matches: PatternMatcher;
  /** `event`: `emit`ted events (and requests no request handler answers); `request`: `send` requests. */
  kind: 'event' | 'request';
  /** Whether the group's idempotency guard skips an event id it already handled for this handler. */
  guarded: boolean;
  /** The handler's own retry options, over the module's. */
  retry?: Partial<RetryOptions>;
  /**
   * Runs the handler (through Nest's pipeline). An event handler resolves once it succeeded (or its DLQ
   * interceptor dead-lettered the event) and rejects when it failed for good; a request handler resolves
   * once its last reply is published. It may also finish at once: a value that is not a promise is a
   * success, a synchronous throw a failure.
   */
  invoke(envelope: EventEnvelope, context: IggyContext): MaybePromise<unknown>;
}

/** The handlers one event type reaches. */
export interface Routes {
  /** Event handlers whose pattern matches, in the order they were registered. */
  events: readonly Route[];
  /** The request handler: the exact pattern, else the first matching wildcard pattern. */
  request: Route | undefined;
  /** Whether some of `events` is under the idempotency guard. */
  guarded: boolean;
}

const MAX_CACHED_TYPES = 10_000;
const NONE: Routes = { events: [], request: undefined, guarded: false };

/** Routes event types (exact, `order.*`, `order.#`) to a group's handlers; lookups are cached per type. */
export class RouteTable {
  private readonly cache = new Map<string, Routes>();
  readonly eventRoutes: readonly Route[];

  constructor(readonly routes: readonly Route[]) {
    this.eventRoutes = routes.filter((r) => r.kind === 'event');
  }

  match(type: string): Routes {
    let routes = this.cache.get(type);
    if (!routes) {
      routes = this.compute(type);
      if (this.cache.size >= MAX_CACHED_TYPES) this.cache.clear();
      this.cache.set(type, routes);
    }
    return routes;
  }

  /** `pattern → handler` of every route, for the start-up log. */
  describe(): string {
    if (this.routes.length === 0) return '(no handlers)';
    return this.routes
      .map((r) => {
        const target = r.name === r.pattern ? r.kind : r.name;
        return `${r.pattern} → ${target}`;
      })
      .join(', ');
  }

  private compute(type: string): Routes {
    const events = this.eventRoutes.filter((r) => r.matches(type));
    const requests = this.routes.filter((r) => r.kind === 'request' && r.matches(type));
    const request = requests.find((r) => !isWildcardPattern(r.pattern)) ?? requests[0];
    if (events.length === 0 && !request) return NONE;
    return { events, request, guarded: events.some((r) => r.guarded) };
  }
}
